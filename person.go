package flare

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// PersonRole is the part a person plays in a case (issue #5).
type PersonRole string

// The roles of a person in a case.
const (
	RolePresumedVictim       PersonRole = "presumed_victim"
	RoleSuspectedPerpetrator PersonRole = "suspected_perpetrator"
	RoleWitness              PersonRole = "witness"
	RoleReporter             PersonRole = "reporter"
)

// PersonRoles returns every role of a person in a case.
func PersonRoles() []PersonRole {
	return []PersonRole{RolePresumedVictim, RoleSuspectedPerpetrator, RoleWitness, RoleReporter}
}

// Valid reports whether r is one of PersonRoles.
func (r PersonRole) Valid() bool { return slices.Contains(PersonRoles(), r) }

// Gender is HTCDS 2.0 prs_Gender, its values in snake_case.
type Gender string

// The values of HTCDS prs_Gender.
const (
	GenderFeminine             Gender = "feminine"
	GenderMasculine            Gender = "masculine"
	GenderTransgenderFeminine  Gender = "transgender_feminine"
	GenderTransgenderMasculine Gender = "transgender_masculine"
	GenderNonConforming        Gender = "non_conforming"
	GenderNonSpecifiedUnknown  Gender = "non_specified_unknown"
)

// Genders returns every value of prs_Gender.
func Genders() []Gender {
	return []Gender{GenderFeminine, GenderMasculine, GenderTransgenderFeminine, GenderTransgenderMasculine,
		GenderNonConforming, GenderNonSpecifiedUnknown}
}

// Valid reports whether g is one of Genders.
func (g Gender) Valid() bool { return slices.Contains(Genders(), g) }

// VictimStage is how far the recognition of a person as a victim has gone
// (issue #5): suspected (someone raised it), presumed (after screening),
// identified (a formal decision of a competent authority).
//
// HTCDS 2.0 vic_TraffickingStatus has no such stages: suspected and
// presumed map to PossibleVictimOfTrafficking, identified to
// ActualVictimOfTrafficking (see HTCDSTraffickingStatus).
type VictimStage string

// The stages of victim status, in order.
const (
	VictimSuspected  VictimStage = "suspected"
	VictimPresumed   VictimStage = "presumed"
	VictimIdentified VictimStage = "identified"
)

// HTCDSTraffickingStatus is the HTCDS 2.0 vic_TraffickingStatus value of s.
func (s VictimStage) HTCDSTraffickingStatus() string {
	switch s {
	case VictimSuspected, VictimPresumed:
		return "PossibleVictimOfTrafficking"
	case VictimIdentified:
		return "ActualVictimOfTrafficking"
	}
	return ""
}

// DecisionMaker is the kind of body that decided a victim status: HTCDS 2.0
// vic_TraffickingStatusDecisionMakingOrg in snake_case.
type DecisionMaker string

// The values of vic_TraffickingStatusDecisionMakingOrg.
const (
	DecidedByPolice             DecisionMaker = "police"
	DecidedByNGO                DecisionMaker = "ngo"
	DecidedByCourtOrProsecution DecisionMaker = "court_or_prosecution"
	DecidedByOtherGovernment    DecisionMaker = "non_police_governmental_organization"
	DecidedByOther              DecisionMaker = "other"
)

// DecisionMakers returns every value of DecisionMaker.
func DecisionMakers() []DecisionMaker {
	return []DecisionMaker{DecidedByPolice, DecidedByNGO, DecidedByCourtOrProsecution, DecidedByOtherGovernment, DecidedByOther}
}

// StatusDecision is one step of a victim status: when, and by whom.
type StatusDecision struct {
	DecidedOn time.Time `json:"decided_on"`
	// DecidedBy is the kind of body that decided (HTCDS).
	DecidedBy DecisionMaker `json:"decided_by"`
	// AgencyID is the Flare agency that decided, when it is one.
	AgencyID string `json:"agency_id,omitempty"`
}

// VictimStatus records each stage reached, each with its date and deciding
// body; Current is the furthest stage reached, set by Validate.
type VictimStatus struct {
	Current    VictimStage     `json:"current,omitempty"`
	Suspected  *StatusDecision `json:"suspected,omitempty"`
	Presumed   *StatusDecision `json:"presumed,omitempty"`
	Identified *StatusDecision `json:"identified,omitempty"`
	// DecisionDeadlines are computed on read (protection.go), never stored.
	*DecisionDeadlines
}

// IsZero reports whether no stage is recorded.
func (v VictimStatus) IsZero() bool {
	return v.Suspected == nil && v.Presumed == nil && v.Identified == nil
}

// IdentityDocumentType is the kind of an identity document.
type IdentityDocumentType string

// The kinds of identity document.
const (
	DocPassport         IdentityDocumentType = "passport"
	DocNationalID       IdentityDocumentType = "national_id"
	DocResidencePermit  IdentityDocumentType = "residence_permit"
	DocWorkPermit       IdentityDocumentType = "work_permit"
	DocBirthCertificate IdentityDocumentType = "birth_certificate"
	DocDrivingLicence   IdentityDocumentType = "driving_licence"
	DocSeafarerBook     IdentityDocumentType = "seafarer_book"
	DocOther            IdentityDocumentType = "other"
)

// IdentityDocumentTypes returns every kind of identity document.
func IdentityDocumentTypes() []IdentityDocumentType {
	return []IdentityDocumentType{DocPassport, DocNationalID, DocResidencePermit, DocWorkPermit, DocBirthCertificate,
		DocDrivingLicence, DocSeafarerBook, DocOther}
}

// IdentityDocument is one document of a person (HTCDS prs_IdentityNumber,
// widened to several documents with their type, issuer and expiry).
type IdentityDocument struct {
	Type           IdentityDocumentType `json:"type"`
	Number         string               `json:"number"`
	IssuingCountry string               `json:"issuing_country,omitempty"`
	ExpiresOn      *time.Time           `json:"expires_on,omitempty"`
}

// PersonContact is how to reach a person (HTCDS prs_Email, prs_MobilePhone,
// prs_Mailing*).
type PersonContact struct {
	Email             string `json:"email,omitempty"`
	MobilePhone       string `json:"mobile_phone,omitempty"`
	MailingStreet     string `json:"mailing_street,omitempty"`
	MailingCity       string `json:"mailing_city,omitempty"`
	MailingState      string `json:"mailing_state,omitempty"`
	MailingPostalCode string `json:"mailing_postal_code,omitempty"`
	MailingCountry    string `json:"mailing_country,omitempty"`
}

// IsZero reports whether no contact detail is set.
func (c PersonContact) IsZero() bool { return c == PersonContact{} }

// PersonIdentity is the identity field group: what names a person or lets
// someone find them. Every field is sealed under the person's data key, and
// a user without the identity group never receives any of it (R-AZ2).
type PersonIdentity struct {
	FirstName         string             `json:"first_name"`
	MiddleName        string             `json:"middle_name,omitempty"`
	SecondName        string             `json:"second_name,omitempty"`
	Birthdate         *time.Time         `json:"birthdate,omitempty"`
	Contact           PersonContact      `json:"contact"`
	IdentityDocuments []IdentityDocument `json:"identity_documents"`
}

// FullName joins the names that are set.
func (id *PersonIdentity) FullName() string {
	return strings.Join(strings.Fields(id.FirstName+" "+id.MiddleName+" "+id.SecondName), " ")
}

// Person is someone in a case (issue #5). The identity group is a pointer,
// embedded so that its JSON keys sit beside the others and vanish entirely
// when it is nil: a response for someone who may not see it carries no
// identity key at all, not even a null (security checklist R-AZ2).
type Person struct {
	ID     string     `json:"id"`
	CaseID string     `json:"case_id"`
	Role   PersonRole `json:"role"`
	*PersonIdentity
	// IdentityWithheld says why the identity fields are absent:
	// IdentityNotPermitted, IdentityJustificationRequired or
	// IdentityErased; empty when they are present.
	IdentityWithheld string `json:"identity_withheld,omitempty"`
	// Profile group: plaintext, for casework and statistics.
	Gender       Gender `json:"gender,omitempty"`
	AgeYears     *int   `json:"age_years,omitempty"`
	AgeEstimated bool   `json:"age_estimated,omitempty"`
	// Citizenship holds ISO 3166-1 alpha-2 codes (HTCDS prs_Citizenship).
	Citizenship []string `json:"citizenship,omitempty"`
	// PrimaryLanguage and SecondaryLanguage are ISO 639 codes.
	PrimaryLanguage   string        `json:"primary_language,omitempty"`
	SecondaryLanguage string        `json:"secondary_language,omitempty"`
	VictimStatus      *VictimStatus `json:"victim_status,omitempty"`
	Version           int64         `json:"version"`
	CreatedAt         time.Time     `json:"created_at"`
	UpdatedAt         time.Time     `json:"updated_at"`
}

// Why identity fields are withheld from a response.
const (
	IdentityNotPermitted          = "not_permitted"
	IdentityJustificationRequired = "justification_required"
	IdentityErased                = "erased"
)

// Limits on person fields.
const (
	maxPersonText       = 200
	maxIdentityDocs     = 20
	maxCitizenships     = 5
	maxAgeYears         = 130
	earliestBirthYear   = 1890
	maxDocumentNumber   = 64
	maxPostalCodeLength = 20
)

// personPhonePattern is E.164 as HTCDS asks: "+", country code and number, at
// most 15 digits; spaces and dashes typed between digits are removed first.
var personPhonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// isCountry reports whether code is an ISO 3166-1 alpha-2 country code
// (ValidCountryCode, which also accepts "").
func isCountry(code string) bool { return code != "" && ValidCountryCode(code) }

// ValidLanguageCode reports whether code is an ISO 639 language code (two
// letters, or three for a language without a two-letter code).
func ValidLanguageCode(code string) bool {
	if (len(code) != 2 && len(code) != 3) || strings.ToLower(code) != code {
		return false
	}
	_, err := language.ParseBase(code)
	return err == nil
}

// Validate normalises the person's text and checks every field it holds.
// A person with a withheld identity is checked on its profile only.
func (p *Person) Validate() error {
	if p.CaseID == "" {
		return FieldError("case_id", "is required")
	}
	if !p.Role.Valid() {
		return FieldError("role", "%q is not one of presumed_victim, suspected_perpetrator, witness, reporter", p.Role)
	}
	if p.PersonIdentity != nil {
		if err := p.PersonIdentity.validate(); err != nil {
			return err
		}
		if p.Birthdate != nil && p.AgeYears != nil {
			return FieldError("age_years", "give a birthdate or an age, not both")
		}
	}
	return p.validateProfile()
}

func (p *Person) validateProfile() error {
	if p.Gender != "" && !p.Gender.Valid() {
		return FieldError("gender", "%q is not an HTCDS gender value", p.Gender)
	}
	if p.AgeYears != nil && (*p.AgeYears < 0 || *p.AgeYears > maxAgeYears) {
		return FieldError("age_years", "must be between 0 and %d", maxAgeYears)
	}
	if p.AgeYears == nil && p.AgeEstimated {
		return FieldError("age_estimated", "is set without an age")
	}
	if len(p.Citizenship) > maxCitizenships {
		return FieldError("citizenship", "lists more than %d countries", maxCitizenships)
	}
	seen := map[string]bool{}
	for i, c := range p.Citizenship {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !isCountry(c) {
			return FieldError("citizenship", "%q is not an ISO 3166-1 alpha-2 country code", c)
		}
		if seen[c] {
			return FieldError("citizenship", "lists %s twice", c)
		}
		seen[c], p.Citizenship[i] = true, c
	}
	for _, l := range []struct {
		field string
		v     *string
	}{{"primary_language", &p.PrimaryLanguage}, {"secondary_language", &p.SecondaryLanguage}} {
		*l.v = strings.ToLower(strings.TrimSpace(*l.v))
		if *l.v != "" && !ValidLanguageCode(*l.v) {
			return FieldError(l.field, "%q is not an ISO 639 language code", *l.v)
		}
	}
	if p.VictimStatus != nil {
		if p.VictimStatus.IsZero() {
			p.VictimStatus = nil
		} else if p.Role != RolePresumedVictim {
			return FieldError("victim_status", "is recorded only for a presumed victim")
		} else if err := p.VictimStatus.validate(); err != nil {
			return err
		}
	}
	return nil
}

func (v *VictimStatus) validate() error {
	v.Current, v.DecisionDeadlines = "", nil
	for _, s := range []struct {
		stage VictimStage
		d     *StatusDecision
	}{{VictimSuspected, v.Suspected}, {VictimPresumed, v.Presumed}, {VictimIdentified, v.Identified}} {
		if s.d == nil {
			continue
		}
		field := "victim_status." + string(s.stage)
		if s.d.DecidedOn.IsZero() {
			return FieldError(field+".decided_on", "is required")
		}
		s.d.DecidedOn = DateOf(s.d.DecidedOn)
		if !slices.Contains(DecisionMakers(), s.d.DecidedBy) {
			return FieldError(field+".decided_by", "%q is not an HTCDS decision-making organisation", s.d.DecidedBy)
		}
		if s.d.AgencyID != "" && (len(s.d.AgencyID) > 64 || strings.ContainsAny(s.d.AgencyID, " ,\n")) {
			return FieldError(field+".agency_id", "is not an agency id")
		}
		v.Current = s.stage
	}
	return nil
}

func (id *PersonIdentity) validate() error {
	for _, f := range []struct {
		field string
		v     *string
	}{{"first_name", &id.FirstName}, {"middle_name", &id.MiddleName}, {"second_name", &id.SecondName}} {
		*f.v = CleanLine(*f.v)
		if utf8.RuneCountInString(*f.v) > maxPersonText {
			return FieldError(f.field, "is longer than %d characters", maxPersonText)
		}
	}
	if id.FirstName == "" && id.SecondName == "" {
		return FieldError("first_name", "a first or second name is required (an alias will do)")
	}
	if id.Birthdate != nil {
		d := DateOf(*id.Birthdate)
		if d.Year() < earliestBirthYear || d.After(time.Now().UTC()) {
			return FieldError("birthdate", "must be a past date after %d", earliestBirthYear)
		}
		id.Birthdate = &d
	}
	if err := id.Contact.validate(); err != nil {
		return err
	}
	if len(id.IdentityDocuments) > maxIdentityDocs {
		return FieldError("identity_documents", "lists more than %d documents", maxIdentityDocs)
	}
	for i := range id.IdentityDocuments {
		if err := id.IdentityDocuments[i].validate(); err != nil {
			return err
		}
	}
	if id.IdentityDocuments == nil {
		id.IdentityDocuments = []IdentityDocument{}
	}
	return nil
}

func (c *PersonContact) validate() error {
	for _, f := range []struct {
		field string
		v     *string
	}{{"contact.email", &c.Email}, {"contact.mobile_phone", &c.MobilePhone}, {"contact.mailing_street", &c.MailingStreet},
		{"contact.mailing_city", &c.MailingCity}, {"contact.mailing_state", &c.MailingState},
		{"contact.mailing_postal_code", &c.MailingPostalCode}, {"contact.mailing_country", &c.MailingCountry}} {
		*f.v = CleanLine(*f.v)
		if utf8.RuneCountInString(*f.v) > maxPersonText {
			return FieldError(f.field, "is longer than %d characters", maxPersonText)
		}
	}
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != c.Email || !strings.Contains(c.Email, "@") {
			return FieldError("contact.email", "is not an email address")
		}
	}
	if c.MobilePhone != "" {
		c.MobilePhone = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(c.MobilePhone)
		if !personPhonePattern.MatchString(c.MobilePhone) {
			return FieldError("contact.mobile_phone", "must be an E.164 number: +, country code and number, at most 15 digits")
		}
	}
	if utf8.RuneCountInString(c.MailingPostalCode) > maxPostalCodeLength {
		return FieldError("contact.mailing_postal_code", "is longer than %d characters", maxPostalCodeLength)
	}
	c.MailingCountry = strings.ToUpper(c.MailingCountry)
	if c.MailingCountry != "" && !isCountry(c.MailingCountry) {
		return FieldError("contact.mailing_country", "%q is not an ISO 3166-1 alpha-2 country code", c.MailingCountry)
	}
	return nil
}

func (d *IdentityDocument) validate() error {
	d.Number = CleanLine(d.Number)
	d.IssuingCountry = strings.ToUpper(strings.TrimSpace(d.IssuingCountry))
	switch {
	case !slices.Contains(IdentityDocumentTypes(), d.Type):
		return FieldError("identity_documents.type", "%q is not a document type", d.Type)
	case d.Number == "":
		return FieldError("identity_documents.number", "is required")
	case utf8.RuneCountInString(d.Number) > maxDocumentNumber:
		return FieldError("identity_documents.number", "is longer than %d characters", maxDocumentNumber)
	case d.IssuingCountry != "" && !isCountry(d.IssuingCountry):
		return FieldError("identity_documents.issuing_country", "%q is not an ISO 3166-1 alpha-2 country code", d.IssuingCountry)
	}
	if d.ExpiresOn != nil {
		e := DateOf(*d.ExpiresOn)
		d.ExpiresOn = &e
	}
	return nil
}

// PersonUpdate changes some fields of a person. Nil fields are left alone;
// Version must be the version the change was based on.
type PersonUpdate struct {
	Version           int64
	Role              *PersonRole
	FirstName         *string
	MiddleName        *string
	SecondName        *string
	Birthdate         **time.Time
	Contact           *PersonContact
	IdentityDocuments *[]IdentityDocument
	Gender            *Gender
	AgeYears          **int
	AgeEstimated      *bool
	Citizenship       *[]string
	PrimaryLanguage   *string
	SecondaryLanguage *string
	VictimStatus      **VictimStatus
}

// Fields names the fields upd sets, in the JSON names of Person.
func (u PersonUpdate) Fields() []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"role", u.Role != nil}, {"first_name", u.FirstName != nil}, {"middle_name", u.MiddleName != nil},
		{"second_name", u.SecondName != nil}, {"birthdate", u.Birthdate != nil}, {"contact", u.Contact != nil},
		{"identity_documents", u.IdentityDocuments != nil}, {"gender", u.Gender != nil}, {"age_years", u.AgeYears != nil},
		{"age_estimated", u.AgeEstimated != nil}, {"citizenship", u.Citizenship != nil},
		{"primary_language", u.PrimaryLanguage != nil}, {"secondary_language", u.SecondaryLanguage != nil},
		{"victim_status", u.VictimStatus != nil},
	} {
		if f.set {
			out = append(out, f.name)
		}
	}
	return out
}

// Apply applies u to p, whose identity must be present when u changes it.
func (u PersonUpdate) Apply(p *Person) {
	if u.Role != nil {
		p.Role = *u.Role
	}
	if id := p.PersonIdentity; id != nil {
		setIf(&id.FirstName, u.FirstName)
		setIf(&id.MiddleName, u.MiddleName)
		setIf(&id.SecondName, u.SecondName)
		setIf(&id.Birthdate, u.Birthdate)
		setIf(&id.Contact, u.Contact)
		setIf(&id.IdentityDocuments, u.IdentityDocuments)
	}
	setIf(&p.Gender, u.Gender)
	setIf(&p.AgeYears, u.AgeYears)
	setIf(&p.AgeEstimated, u.AgeEstimated)
	setIf(&p.Citizenship, u.Citizenship)
	setIf(&p.PrimaryLanguage, u.PrimaryLanguage)
	setIf(&p.SecondaryLanguage, u.SecondaryLanguage)
	setIf(&p.VictimStatus, u.VictimStatus)
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// PersonAuditLine counts what one agency did to a person's record, for a
// subject access export: counts and dates only, never values.
type PersonAuditLine struct {
	AgencyID string    `json:"agency_id,omitempty"`
	Console  bool      `json:"console,omitempty"`
	Action   string    `json:"action"`
	Count    int       `json:"count"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// PersonExport is everything held on a person, for subject access
// (security checklist R-DP2): every field, the case, the grants that cover
// the person, and a summary of who read or changed the record.
type PersonExport struct {
	Person       *Person           `json:"person"`
	Case         *Case             `json:"case"`
	Grants       []*CaseGrant      `json:"grants"`
	AuditSummary []PersonAuditLine `json:"audit_summary"`
	ExportedAt   time.Time         `json:"exported_at"`
}

// PersonService manages the people in cases. Every method acts for the
// Actor in ctx, answers ENOTFOUND for a person the actor may not know
// exists, and returns only the field groups the actor may read.
type PersonService interface {
	// CreatePerson adds p to its case and sets its ID, Version and
	// timestamps.
	CreatePerson(ctx context.Context, p *Person) error
	// Person returns one person.
	Person(ctx context.Context, id string) (*Person, error)
	// CasePersons returns the people of a case, oldest first.
	CasePersons(ctx context.Context, caseID string) ([]*Person, error)
	// UpdatePerson applies upd if the person is still at upd.Version. A
	// field of a group the actor may not write is forbidden and changes
	// nothing; a stale version is a conflict.
	UpdatePerson(ctx context.Context, id string, upd PersonUpdate) (*Person, error)
	// FindPersons returns the people whose names hold every word of name,
	// among those whose identity the actor may read.
	FindPersons(ctx context.Context, name string) ([]*Person, error)
	// ExportPerson returns everything held on a person (subject access).
	ExportPerson(ctx context.Context, id string) (*PersonExport, error)
}

type justificationKey struct{}

// WithJustification returns a context carrying the reason the user gave for
// reading a victim's identity; police and prosecution must give one, and
// it is recorded in the audit entry of the read (issue #3, audit trail).
func WithJustification(ctx context.Context, reason string) context.Context {
	return context.WithValue(ctx, justificationKey{}, CleanText(reason))
}

// JustificationFrom returns the reason in ctx, or "".
func JustificationFrom(ctx context.Context) string {
	s, _ := ctx.Value(justificationKey{}).(string)
	return s
}

// FieldGroup is a named set of a person's fields that access is decided on
// as a whole (security checklist R-AZ2). Which fields fall in which group,
// and who may read or write each, is the policy package's.
type FieldGroup string

// The field groups of a person.
const (
	// FieldGroupIdentity: names, birthdate, contact, identity documents.
	FieldGroupIdentity FieldGroup = "identity"
	// FieldGroupProfile: role, gender, age, citizenship, languages, victim
	// status.
	FieldGroupProfile FieldGroup = "profile"
)

// FieldGroups returns every field group.
func FieldGroups() []FieldGroup { return []FieldGroup{FieldGroupIdentity, FieldGroupProfile} }

// Valid reports whether g is one of FieldGroups.
func (g FieldGroup) Valid() bool { return slices.Contains(FieldGroups(), g) }
