package flare

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// OrganisationType is the part an organisation plays in a case of forced
// labour (issue #5). HTCDS 2.0 org_Type lists the kinds of organisation
// that work on cases (NGO, law enforcement, ...); the organisations of a
// case are the ones the case is about, so the list here is Flare's own.
type OrganisationType string

// The types of organisation.
const (
	OrgEmployer          OrganisationType = "employer"
	OrgRecruitmentAgency OrganisationType = "recruitment_agency"
	OrgLabourContractor  OrganisationType = "labour_contractor"
	OrgBuyer             OrganisationType = "buyer"
	OrgOther             OrganisationType = "other"
)

// OrganisationTypes returns every organisation type, in form order.
func OrganisationTypes() []OrganisationType {
	return []OrganisationType{OrgEmployer, OrgRecruitmentAgency, OrgLabourContractor, OrgBuyer, OrgOther}
}

// Valid reports whether t is one of OrganisationTypes.
func (t OrganisationType) Valid() bool { return slices.Contains(OrganisationTypes(), t) }

// RegistrationScheme says which register a registration number is from.
type RegistrationScheme string

// The registers an organisation's numbers come from. A recruitment licence
// matters on its own: unlicensed recruitment is a common road into forced
// labour (ILO C181).
const (
	RegCompanyRegister    RegistrationScheme = "company_register"
	RegTaxID              RegistrationScheme = "tax_id"
	RegVAT                RegistrationScheme = "vat"
	RegRecruitmentLicence RegistrationScheme = "recruitment_licence"
	RegSocialSecurity     RegistrationScheme = "social_security"
	RegOther              RegistrationScheme = "other"
)

// RegistrationSchemes returns every registration scheme, in form order.
func RegistrationSchemes() []RegistrationScheme {
	return []RegistrationScheme{RegCompanyRegister, RegTaxID, RegVAT, RegRecruitmentLicence, RegSocialSecurity, RegOther}
}

// Valid reports whether s is one of RegistrationSchemes.
func (s RegistrationScheme) Valid() bool { return slices.Contains(RegistrationSchemes(), s) }

// RegistrationNumber is one number an organisation is registered under.
type RegistrationNumber struct {
	Scheme RegistrationScheme `json:"scheme"`
	Number string             `json:"number"`
}

// Limits of an organisation's lists and short fields.
const (
	MaxTradeNames    = 10
	MaxRegistrations = 10
	// MaxCodeLength bounds registration numbers and postal codes.
	MaxCodeLength = 64
)

// Organisation is an employer, recruiter, labour contractor or buyer named
// in a case. Field names follow HTCDS 2.0 (org_Name -> name,
// org_ShippingCountry -> country, ...; see docs/casework.md). It holds no
// personal data of victims, so it is stored in plaintext, and it is
// searchable by its names and numbers; every read and write is audited as
// a part of the case.
type Organisation struct {
	ID     string           `json:"id"`
	CaseID string           `json:"case_id"`
	Type   OrganisationType `json:"type"`
	// Name is the organisation's name (HTCDS org_Name).
	Name string `json:"name"`
	// TradeNames are the other names it is known by.
	TradeNames []string `json:"trade_names"`
	// Registrations are its numbers in company, tax and licence registers.
	Registrations []RegistrationNumber `json:"registration_numbers"`
	// Country is an ISO 3166-1 alpha-2 code (org_ShippingCountry).
	Country    string `json:"country,omitempty"`
	State      string `json:"state,omitempty"`       // org_ShippingState
	City       string `json:"city,omitempty"`        // org_ShippingCity
	Street     string `json:"street,omitempty"`      // org_ShippingStreet
	PostalCode string `json:"postal_code,omitempty"` // org_ShippingPostalCode
	// Phone is in E.164 form, +CC and up to 15 digits (org_Phone).
	Phone     string    `json:"phone,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// phonePattern is HTCDS 2.0 org_Phone's rule: E.164, at most 15 digits.
var phonePattern = regexp.MustCompile(`^\+?[1-9][0-9]{1,14}$`)

// Validate normalises the organisation's fields and checks each one.
func (o *Organisation) Validate() error {
	o.Name = CleanLine(o.Name)
	o.State, o.City, o.Street = CleanLine(o.State), CleanLine(o.City), CleanLine(o.Street)
	o.PostalCode = CleanLine(o.PostalCode)
	o.Country = strings.ToUpper(CleanLine(o.Country))
	o.Phone = normalisePhone(o.Phone)
	switch {
	case o.CaseID == "":
		return FieldError("case_id", "is required")
	case !o.Type.Valid():
		return FieldError("type", "must be one of employer, recruitment_agency, labour_contractor, buyer, other")
	case o.Name == "":
		return FieldError("name", "is required")
	case utf8.RuneCountInString(o.Name) > MaxNameLength:
		return FieldError("name", "is longer than %d characters", MaxNameLength)
	case !ValidCountryCode(o.Country):
		return FieldError("country", "must be an ISO 3166 two-letter country code, like FR or BR")
	case o.Phone != "" && !phonePattern.MatchString(o.Phone):
		return FieldError("phone", "must be a phone number in international form, like +33 1 23 45 67 89")
	}
	for _, f := range []struct{ name, v string }{{"state", o.State}, {"city", o.City}, {"street", o.Street}} {
		if utf8.RuneCountInString(f.v) > MaxNameLength {
			return FieldError(f.name, "is longer than %d characters", MaxNameLength)
		}
	}
	if utf8.RuneCountInString(o.PostalCode) > MaxCodeLength {
		return FieldError("postal_code", "is longer than %d characters", MaxCodeLength)
	}
	var err error
	if o.TradeNames, err = cleanTradeNames(o.TradeNames); err != nil {
		return err
	}
	o.Registrations, err = cleanRegistrations(o.Registrations)
	return err
}

// ValidCountryCode reports whether code is empty or an ISO 3166-1 alpha-2
// code of a country or territory (not a grouping such as EU or a private
// use code such as ZZ). The codes ISO 3166 only "exceptionally reserves"
// (UK, EU, SU, ...) are refused too; XK, which CLDR and most registers use
// for Kosovo, is accepted.
func ValidCountryCode(code string) bool {
	if code == "" {
		return true
	}
	if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' {
		return false
	}
	if strings.Contains(" AC CP DG EA EU EZ FX IC SU TA UK UN ", " "+code+" ") {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.String() == code
}

// normalisePhone drops the spaces, dots, dashes and brackets people write
// in phone numbers, and turns a leading 00 into +.
func normalisePhone(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '.', '-', '(', ')', '/', '\u00a0':
			return -1
		}
		return r
	}, CleanLine(s))
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	return s
}

// cleanTradeNames normalises trade names, dropping blanks and repeats.
func cleanTradeNames(names []string) ([]string, error) {
	out := []string{}
	for _, n := range names {
		n = CleanLine(n)
		if n == "" || slices.Contains(out, n) {
			continue
		}
		if utf8.RuneCountInString(n) > MaxNameLength {
			return nil, FieldError("trade_names", "a name is longer than %d characters", MaxNameLength)
		}
		out = append(out, n)
	}
	if len(out) > MaxTradeNames {
		return nil, FieldError("trade_names", "holds more than %d names", MaxTradeNames)
	}
	return out, nil
}

// cleanRegistrations normalises registration numbers, dropping blank
// entries and repeats; a number needs a known scheme.
func cleanRegistrations(regs []RegistrationNumber) ([]RegistrationNumber, error) {
	out := []RegistrationNumber{}
	for _, r := range regs {
		r.Number = CleanLine(r.Number)
		if r.Number == "" {
			continue
		}
		switch {
		case !r.Scheme.Valid():
			return nil, FieldError("registration_numbers", "scheme %q is not one of company_register, tax_id, vat, recruitment_licence, social_security, other", r.Scheme)
		case utf8.RuneCountInString(r.Number) > MaxCodeLength:
			return nil, FieldError("registration_numbers", "a number is longer than %d characters", MaxCodeLength)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) > MaxRegistrations {
		return nil, FieldError("registration_numbers", "holds more than %d numbers", MaxRegistrations)
	}
	return out, nil
}

// SearchText returns the organisation's searchable text: its names and
// registration numbers (never anything about a person).
func (o *Organisation) SearchText() []string {
	parts := append([]string{o.Name}, o.TradeNames...)
	for _, r := range o.Registrations {
		parts = append(parts, r.Number)
	}
	return parts
}

// OrganisationUpdate changes some fields of an organisation; nil fields
// are left alone. Version must be the version the change was based on.
type OrganisationUpdate struct {
	Version       int64
	Type          *OrganisationType
	Name          *string
	TradeNames    *[]string
	Registrations *[]RegistrationNumber
	Country       *string
	State         *string
	City          *string
	Street        *string
	PostalCode    *string
	Phone         *string
}

// Apply sets the fields upd carries on o and names them, for the audit
// trail. It does not validate.
func (upd OrganisationUpdate) Apply(o *Organisation) []string {
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	if upd.Type != nil {
		o.Type = *upd.Type
		changed = append(changed, "type")
	}
	set("name", &o.Name, upd.Name)
	if upd.TradeNames != nil {
		o.TradeNames = slices.Clone(*upd.TradeNames)
		changed = append(changed, "trade_names")
	}
	if upd.Registrations != nil {
		o.Registrations = slices.Clone(*upd.Registrations)
		changed = append(changed, "registration_numbers")
	}
	set("country", &o.Country, upd.Country)
	set("state", &o.State, upd.State)
	set("city", &o.City, upd.City)
	set("street", &o.Street, upd.Street)
	set("postal_code", &o.PostalCode, upd.PostalCode)
	set("phone", &o.Phone, upd.Phone)
	return changed
}

// OrganisationService manages the organisations of cases. Every method
// acts for the Actor in ctx, with the rights the policy gives it on the
// case; ENOTFOUND for a case or organisation the actor may not know of.
type OrganisationService interface {
	// CreateOrganisation stores a new organisation in its case and sets
	// its ID, Version and timestamps.
	CreateOrganisation(ctx context.Context, o *Organisation) error
	// Organisation returns one organisation.
	Organisation(ctx context.Context, id string) (*Organisation, error)
	// Organisations returns the organisations of a case, by name.
	Organisations(ctx context.Context, caseID string) ([]*Organisation, error)
	// UpdateOrganisation applies upd if the organisation is still at
	// upd.Version; a stale version is a conflict and changes nothing.
	UpdateOrganisation(ctx context.Context, id string, upd OrganisationUpdate) (*Organisation, error)
	// DeleteOrganisation removes an organisation at version; only a
	// supervisor of the owning agency may. One still operating a
	// worksite of the case is a conflict.
	DeleteOrganisation(ctx context.Context, id string, version int64) error
}
