package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// PersonService implements flare.PersonService: the people of a case, their
// identity sealed under each person's own data key (issue #3, encryption at
// rest), their names searchable only through the blind index.
type PersonService struct {
	db   *DB
	keys *KeyStore
	// competent are the kinds of agency that may record an identified
	// victim.
	competent []flare.AgencyKind
	// protection holds the lengths the decision deadlines are computed
	// with (protection.go).
	protection flare.ProtectionConfig
}

// NewPersonService returns the person service on db, sealing with keys.
func NewPersonService(db *DB, keys *KeyStore) *PersonService {
	return &PersonService{db: db, keys: keys, competent: flare.DefaultCompetentAuthorities(), protection: flare.DefaultProtectionConfig()}
}

// WithCompetentAuthorities sets the kinds of agency that may record a
// person as an identified victim.
func (s *PersonService) WithCompetentAuthorities(kinds []flare.AgencyKind) *PersonService {
	s.competent = kinds
	return s
}

// checkIdentified refuses to record or change an identified-victim decision
// for an actor whose agency is not a competent authority (issue #7: "only
// a competent authority records identified"). The console operator is not
// an agency and is allowed, like everywhere.
func (s *PersonService) checkIdentified(ctx context.Context, tx *sql.Tx, before, after *flare.VictimStatus) error {
	var was, is *flare.StatusDecision
	if before != nil {
		was = before.Identified
	}
	if after != nil {
		is = after.Identified
	}
	if is == nil || (was != nil && was.DecidedOn.Equal(is.DecidedOn) && was.DecidedBy == is.DecidedBy && was.AgencyID == is.AgencyID) {
		return nil
	}
	actor, _ := flare.ActorFrom(ctx)
	if actor.Console {
		return nil
	}
	var kind string
	if err := tx.QueryRowContext(ctx, `SELECT kind FROM agencies WHERE id = $1`, actor.AgencyID).Scan(&kind); err != nil {
		return fmt.Errorf("check competent authority: %w", s.db.dialect.translate(err))
	}
	if !slices.Contains(s.competent, flare.AgencyKind(kind)) {
		return &flare.Error{Code: flare.EFORBIDDEN, Fields: map[string]string{"victim_status": "identified needs a competent authority"},
			Message: "only a competent authority records an identified victim; your agency may record a suspected or presumed one"}
	}
	return nil
}

var _ flare.PersonService = (*PersonService)(nil)

const personColumns = `id, case_id, role, first_name, middle_name, second_name, birthdate, contact, identity_documents,
	gender, age_years, age_estimated, citizenship, primary_language, secondary_language, victim_stage, victim_status,
	version, created_at, updated_at`

// sealedPersonColumns are the identity group's columns, each sealed.
var sealedPersonColumns = []string{"first_name", "middle_name", "second_name", "birthdate", "contact", "identity_documents"}

// personOwner is the owner type of a person's data key.
const personOwner = "person"

// maxFoundPersons caps a name search: every person returned is a read.
const maxFoundPersons = 50

// personLocation binds a sealed field to the persons row and column.
func personLocation(id, column string) vault.Location {
	return vault.Location{Table: "persons", Column: column, RowID: id}
}

// storedPerson is a row of persons: the profile decoded, the identity
// still sealed.
type storedPerson struct {
	p      *flare.Person
	sealed map[string][]byte
}

// personScope is what deciding on one person needs: its case and the
// case's grants in force.
type personScope struct {
	c      *flare.Case
	grants []policy.Grant
}

func (sc personScope) record(personID string) policy.Record {
	return policy.Record{Type: "person", OwnerAgencyID: sc.c.AgencyID, PersonID: personID}
}

// scope loads a case and, for an actor of another agency, its grants.
func (s *PersonService) scope(ctx context.Context, tx *sql.Tx, caseID string) (personScope, error) {
	c, err := s.db.loadCase(ctx, tx, caseID)
	if err != nil {
		return personScope{}, err
	}
	sc := personScope{c: c}
	if actor, ok := flare.ActorFrom(ctx); ok && !actor.Console && actor.AgencyID != c.AgencyID {
		if sc.grants, err = s.db.activeGrants(ctx, tx, c.ID); err != nil {
			return personScope{}, err
		}
	}
	return sc, nil
}

// decide asks the policy about action on a group of a person.
func decide(ctx context.Context, action policy.Action, sc personScope, personID string, g flare.FieldGroup) policy.Decision {
	actor, _ := flare.ActorFrom(ctx)
	return policy.DecideGroup(actor, action, sc.record(personID), sc.grants, g)
}

// deniedPerson wraps a refusal of action on a person, for the audit trail.
func deniedPerson(err error, action audit.Action, personID, caseID string, fields []string) error {
	return &denial{err: err, ev: auditEvent{action: action, recordType: "person", recordID: personID, caseID: caseID, fields: fields}}
}

func actorOrErr(ctx context.Context) (flare.Actor, error) {
	a, ok := flare.ActorFrom(ctx)
	if !ok {
		return a, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	return a, nil
}

// CreatePerson implements flare.PersonService. Setting identity fields needs
// the identity group; a person may be added with its profile only.
func (s *PersonService) CreatePerson(ctx context.Context, p *flare.Person) error {
	if _, err := actorOrErr(ctx); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sc, err := s.scope(ctx, tx, p.CaseID)
		if err != nil {
			return err
		}
		groups := []flare.FieldGroup{flare.FieldGroupProfile}
		if p.PersonIdentity != nil {
			groups = append(groups, flare.FieldGroupIdentity)
		}
		for _, g := range groups {
			if err := policy.Error(decide(ctx, policy.Create, sc, "", g), policy.Record{Type: "person"}); err != nil {
				return deniedPerson(err, audit.ActionCreate, "", sc.c.ID, policy.GroupFields(g))
			}
		}
		if actor, _ := flare.ActorFrom(ctx); !actor.Console {
			p.VictimStatus.StampDecidingAgencies(nil, actor.AgencyID)
		}
		if err := s.checkIdentified(ctx, tx, nil, p.VictimStatus); err != nil {
			return err
		}
		p.ID, p.CreatedAt = "", time.Time{}
		return s.insertPerson(ctx, tx, p)
	})
	return s.db.auditDenied(ctx, err)
}

// insertPerson writes a validated, authorised person in tx: its data key,
// the row with the identity sealed, the blind-index tokens of its names and
// the audit entry. It sets ID (when empty), Version and timestamps
// (CreatedAt, when given, is kept: the seeder dates its records). The
// seeder calls it many times in one transaction; keep its signature.
func (s *PersonService) insertPerson(ctx context.Context, tx *sql.Tx, p *flare.Person) error {
	if p.ID == "" {
		id, err := newID()
		if err != nil {
			return err
		}
		p.ID = id
	}
	if p.PersonIdentity == nil {
		p.PersonIdentity = &flare.PersonIdentity{IdentityDocuments: []flare.IdentityDocument{}}
	}
	key, err := s.keys.CreateDataKey(ctx, tx, personOwner, p.ID)
	if err != nil {
		return err
	}
	sealed, err := sealIdentity(key, p.ID, p.PersonIdentity)
	if err != nil {
		return err
	}
	profile, err := profileValues(p)
	if err != nil {
		return err
	}
	// A seeded person keeps the creation time it was given; any other
	// takes the store's clock (CreatePerson clears it).
	now := p.CreatedAt.UTC()
	if p.CreatedAt.IsZero() {
		now = s.db.now().UTC()
	}
	args := []any{p.ID, p.CaseID, string(p.Role)}
	for _, c := range sealedPersonColumns {
		args = append(args, sealed[c])
	}
	args = append(args, profile...)
	args = append(args, 1, now, now)
	_, err = tx.ExecContext(ctx, `INSERT INTO persons (`+personColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`, args...)
	if s.db.dialect.constraint(err) == foreignKeyViolation {
		return flare.FieldError("case_id", "no such case")
	}
	if err != nil {
		return fmt.Errorf("insert person: %w", s.db.dialect.translate(err))
	}
	if err := s.indexNames(ctx, tx, p, false); err != nil {
		return err
	}
	p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
	return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "person", recordID: p.ID, caseID: p.CaseID,
		fields: personFieldsSet(p)})
}

// indexNames writes the blind-index tokens of the person's names, first
// removing the old ones when replace is set. Only keyed hashes are stored:
// the names themselves never leave the sealed columns.
func (s *PersonService) indexNames(ctx context.Context, tx *sql.Tx, p *flare.Person, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_name_tokens WHERE person_id = $1`, p.ID); err != nil {
			return fmt.Errorf("clear name index of person %s: %w", p.ID, s.db.dialect.translate(err))
		}
	}
	id := p.PersonIdentity
	tokens, err := s.keys.Vault().BlindIndex(personNameField, id.FirstName+" "+id.MiddleName+" "+id.SecondName)
	if err != nil {
		return fmt.Errorf("blind index of person %s: %w", p.ID, err)
	}
	if len(tokens) == 0 {
		return nil
	}
	values := make([]string, len(tokens))
	args := make([]any, 0, 3*len(tokens))
	for i, t := range tokens {
		values[i] = fmt.Sprintf("($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
		args = append(args, p.ID, p.CaseID, t)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO person_name_tokens (person_id, case_id, token) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return fmt.Errorf("index names of person %s: %w", p.ID, s.db.dialect.translate(err))
	}
	return nil
}

// sealIdentity seals each identity field under key, bound to its column and
// the person's row. Empty fields are sealed too, so the rows do not show
// which fields a person has.
func sealIdentity(key *vault.DataKey, id string, ident *flare.PersonIdentity) (map[string][]byte, error) {
	contact, err := json.Marshal(ident.Contact)
	if err != nil {
		return nil, err
	}
	docs := ident.IdentityDocuments
	if docs == nil {
		docs = []flare.IdentityDocument{}
	}
	docsJSON, err := json.Marshal(docs)
	if err != nil {
		return nil, err
	}
	birth := ""
	if ident.Birthdate != nil {
		birth = ident.Birthdate.Format(time.DateOnly)
	}
	plain := map[string]string{"first_name": ident.FirstName, "middle_name": ident.MiddleName, "second_name": ident.SecondName,
		"birthdate": birth, "contact": string(contact), "identity_documents": string(docsJSON)}
	out := make(map[string][]byte, len(plain))
	for _, c := range sealedPersonColumns {
		b, err := key.SealString(personLocation(id, c), plain[c])
		if err != nil {
			return nil, fmt.Errorf("seal %s of person %s: %w", c, id, err)
		}
		out[c] = b
	}
	return out, nil
}

// openIdentity decrypts the identity of a stored person.
func openIdentity(key *vault.DataKey, id string, sealed map[string][]byte) (*flare.PersonIdentity, error) {
	plain := map[string]string{}
	for _, c := range sealedPersonColumns {
		v, err := key.OpenString(personLocation(id, c), sealed[c])
		if err != nil {
			return nil, fmt.Errorf("open %s of person %s: %w", c, id, err)
		}
		plain[c] = v
	}
	ident := &flare.PersonIdentity{FirstName: plain["first_name"], MiddleName: plain["middle_name"], SecondName: plain["second_name"]}
	if plain["birthdate"] != "" {
		d, err := time.Parse(time.DateOnly, plain["birthdate"])
		if err != nil {
			return nil, fmt.Errorf("birthdate of person %s: %w", id, err)
		}
		ident.Birthdate = &d
	}
	if err := json.Unmarshal([]byte(plain["contact"]), &ident.Contact); err != nil {
		return nil, fmt.Errorf("contact of person %s: %w", id, err)
	}
	if err := json.Unmarshal([]byte(plain["identity_documents"]), &ident.IdentityDocuments); err != nil {
		return nil, fmt.Errorf("identity documents of person %s: %w", id, err)
	}
	return ident, nil
}

// profileValues are the plaintext profile columns of p, in personColumns
// order (gender .. victim_status).
func profileValues(p *flare.Person) ([]any, error) {
	var age any
	if p.AgeYears != nil {
		age = *p.AgeYears
	}
	stage, status := "", ""
	if p.VictimStatus != nil && !p.VictimStatus.IsZero() {
		b, err := json.Marshal(p.VictimStatus)
		if err != nil {
			return nil, err
		}
		stage, status = string(p.VictimStatus.Current), string(b)
	}
	return []any{string(p.Gender), age, p.AgeEstimated, strings.Join(p.Citizenship, ","), p.PrimaryLanguage,
		p.SecondaryLanguage, stage, status}, nil
}

// personFieldsSet names the fields a new person carries, for the audit
// trail (names only, never values).
func personFieldsSet(p *flare.Person) []string {
	f := []string{"role"}
	if id := p.PersonIdentity; id != nil {
		for _, c := range []struct {
			name string
			set  bool
		}{{"first_name", id.FirstName != ""}, {"middle_name", id.MiddleName != ""}, {"second_name", id.SecondName != ""},
			{"birthdate", id.Birthdate != nil}, {"contact", !id.Contact.IsZero()}, {"identity_documents", len(id.IdentityDocuments) > 0}} {
			if c.set {
				f = append(f, c.name)
			}
		}
	}
	for _, c := range []struct {
		name string
		set  bool
	}{{"gender", p.Gender != ""}, {"age_years", p.AgeYears != nil}, {"age_estimated", p.AgeEstimated},
		{"citizenship", len(p.Citizenship) > 0}, {"primary_language", p.PrimaryLanguage != ""},
		{"secondary_language", p.SecondaryLanguage != ""}, {"victim_status", p.VictimStatus != nil}} {
		if c.set {
			f = append(f, c.name)
		}
	}
	return f
}

// loadPerson reads one row of persons.
func (s *PersonService) loadPerson(ctx context.Context, q querier, id string) (*storedPerson, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "person not found")
	}
	sp, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personColumns+` FROM persons WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "person not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load person %s: %w", id, err)
	}
	return sp, nil
}

func scanPerson(r scanner) (*storedPerson, error) {
	p := &flare.Person{}
	sp := &storedPerson{p: p, sealed: map[string][]byte{}}
	var role, gender, citizenship, stage, status string
	var age sql.NullInt64
	var fn, mn, sn, bd, ct, docs []byte
	if err := r.Scan(&p.ID, &p.CaseID, &role, &fn, &mn, &sn, &bd, &ct, &docs, &gender, &age, &p.AgeEstimated,
		&citizenship, &p.PrimaryLanguage, &p.SecondaryLanguage, &stage, &status, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, err
	}
	for c, b := range map[string][]byte{"first_name": fn, "middle_name": mn, "second_name": sn, "birthdate": bd, "contact": ct, "identity_documents": docs} {
		sp.sealed[c] = b
	}
	p.Role, p.Gender = flare.PersonRole(role), flare.Gender(gender)
	if age.Valid {
		a := int(age.Int64)
		p.AgeYears = &a
	}
	p.Citizenship = splitList(citizenship)
	if status != "" {
		p.VictimStatus = &flare.VictimStatus{}
		if err := json.Unmarshal([]byte(status), p.VictimStatus); err != nil {
			return nil, fmt.Errorf("victim status of person %s: %w", p.ID, err)
		}
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return sp, nil
}

// reveal fills in what the actor may see of a stored person and returns the
// names of the fields it holds and the justification to record. It returns
// a policy error when the actor may not read the person at all.
func (s *PersonService) reveal(ctx context.Context, tx *sql.Tx, sc personScope, sp *storedPerson) (fields []string, justification string, err error) {
	p := sp.p
	profile := decide(ctx, policy.Read, sc, p.ID, flare.FieldGroupProfile)
	identity := decide(ctx, policy.Read, sc, p.ID, flare.FieldGroupIdentity)
	if profile != policy.Allow && identity != policy.Allow {
		return nil, "", policy.Error(profile, policy.Record{Type: "person"})
	}
	if profile == policy.Allow {
		fields = policy.GroupFields(flare.FieldGroupProfile)
	} else {
		// A grant of the identity group alone: the role stays, to say who
		// the person is in the case; the rest of the profile goes.
		withholdProfile(p)
		fields = []string{"role"}
	}
	actor, _ := flare.ActorFrom(ctx)
	switch {
	case identity != policy.Allow:
		p.IdentityWithheld = flare.IdentityNotPermitted
	case policy.NeedsJustification(actor, p.Role) && flare.JustificationFrom(ctx) == "":
		p.IdentityWithheld = flare.IdentityJustificationRequired
	default:
		ident, err := s.open(ctx, tx, sp)
		if errors.Is(err, ErrDataKeyDestroyed) {
			p.IdentityWithheld = flare.IdentityErased
			return fields, "", nil
		}
		if err != nil {
			return nil, "", err
		}
		p.PersonIdentity = ident
		fields = append(fields, policy.GroupFields(flare.FieldGroupIdentity)...)
		if policy.NeedsJustification(actor, p.Role) {
			justification = flare.JustificationFrom(ctx)
		}
	}
	return fields, justification, nil
}

// withholdProfile clears the profile fields but the role.
func withholdProfile(p *flare.Person) {
	p.Gender, p.AgeYears, p.AgeEstimated, p.Citizenship = "", nil, false, nil
	p.PrimaryLanguage, p.SecondaryLanguage, p.VictimStatus = "", "", nil
}

// open decrypts a stored person's identity with its data key.
func (s *PersonService) open(ctx context.Context, tx *sql.Tx, sp *storedPerson) (*flare.PersonIdentity, error) {
	key, err := s.keys.DataKey(ctx, tx, personOwner, sp.p.ID)
	if err != nil {
		return nil, err
	}
	return openIdentity(key, sp.p.ID, sp.sealed)
}

// Person implements flare.PersonService. The read is audited with the
// names of the fields returned, and with the justification police or
// prosecution gave for a victim's identity.
func (s *PersonService) Person(ctx context.Context, id string) (*flare.Person, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	var out *flare.Person
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sp, err := s.loadPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		sc, err := s.scope(ctx, tx, sp.p.CaseID)
		if err != nil {
			return err
		}
		fields, why, err := s.reveal(ctx, tx, sc, sp)
		if err != nil {
			return deniedPerson(err, audit.ActionRead, sp.p.ID, sc.c.ID, nil)
		}
		if err := s.fillDeadlines(ctx, tx, sp.p); err != nil {
			return err
		}
		out = sp.p
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "person", recordID: sp.p.ID, caseID: sc.c.ID,
			fields: fields, justification: why})
	})
	return out, s.db.auditDenied(ctx, err)
}

// CasePersons implements flare.PersonService: the people of the case the
// actor may read (all of them for the owning agency; those a grant names
// for another agency), each read audited.
func (s *PersonService) CasePersons(ctx context.Context, caseID string) ([]*flare.Person, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	var out []*flare.Person
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sc, err := s.scope(ctx, tx, caseID)
		if err != nil {
			return err
		}
		caseErr := s.db.authorizeCase(ctx, tx, policy.Read, sc.c)
		rows, err := tx.QueryContext(ctx, `SELECT `+personColumns+` FROM persons WHERE case_id = $1 ORDER BY created_at, id`, sc.c.ID)
		if err != nil {
			return fmt.Errorf("list persons of case %s: %w", sc.c.ID, err)
		}
		var stored []*storedPerson
		for rows.Next() {
			sp, err := scanPerson(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("list persons of case %s: %w", sc.c.ID, err)
			}
			stored = append(stored, sp)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list persons of case %s: %w", sc.c.ID, err)
		}
		for _, sp := range stored {
			fields, why, err := s.reveal(ctx, tx, sc, sp)
			if code := flare.ErrorCodeOf(err); code == flare.EFORBIDDEN || code == flare.ENOTFOUND {
				continue // a person the actor's grant does not name
			} else if err != nil {
				return err
			}
			if err := s.fillDeadlines(ctx, tx, sp.p); err != nil {
				return err
			}
			out = append(out, sp.p)
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "person", recordID: sp.p.ID, caseID: sc.c.ID,
				fields: fields, justification: why}); err != nil {
				return err
			}
		}
		if caseErr != nil && len(out) == 0 {
			return deniedCase(caseErr, audit.ActionRead, sc.c.ID)
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// UpdatePerson implements flare.PersonService. Every field set must be in a
// group the actor may write, or the whole update is refused (403) and
// nothing changes (R-AZ2); the version check is in the UPDATE itself.
func (s *PersonService) UpdatePerson(ctx context.Context, id string, upd flare.PersonUpdate) (*flare.Person, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	changed := upd.Fields()
	var out *flare.Person
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sp, err := s.loadPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		sc, err := s.scope(ctx, tx, sp.p.CaseID)
		if err != nil {
			return err
		}
		p := sp.p
		touchesIdentity := false
		for _, g := range groupsOf(changed) {
			if err := policy.Error(decide(ctx, policy.Update, sc, p.ID, g), policy.Record{Type: "person"}); err != nil {
				return deniedPerson(err, audit.ActionUpdate, p.ID, sc.c.ID, changed)
			}
			touchesIdentity = touchesIdentity || g == flare.FieldGroupIdentity
		}
		if len(changed) == 0 {
			if err := policy.Error(decide(ctx, policy.Update, sc, p.ID, flare.FieldGroupProfile), policy.Record{Type: "person"}); err != nil {
				return deniedPerson(err, audit.ActionUpdate, p.ID, sc.c.ID, nil)
			}
		}
		if p.Version != upd.Version {
			return stalePerson(p.Version, upd.Version)
		}
		var key *vault.DataKey
		if touchesIdentity {
			if key, err = s.keys.DataKey(ctx, tx, personOwner, p.ID); err != nil {
				if errors.Is(err, ErrDataKeyDestroyed) {
					return flare.Errorf(flare.ECONFLICT, "the person was erased: their identity cannot be changed")
				}
				return err
			}
			if p.PersonIdentity, err = openIdentity(key, p.ID, sp.sealed); err != nil {
				return err
			}
		}
		var before *flare.VictimStatus
		if p.VictimStatus != nil {
			v := *p.VictimStatus
			before = &v
		}
		upd.Apply(p)
		if actor, _ := flare.ActorFrom(ctx); !actor.Console {
			p.VictimStatus.StampDecidingAgencies(before, actor.AgencyID)
		}
		if err := s.checkIdentified(ctx, tx, before, p.VictimStatus); err != nil {
			return err
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if err := s.writeUpdate(ctx, tx, sp, key, upd); err != nil {
			return err
		}
		why := ""
		actor, _ := flare.ActorFrom(ctx)
		if touchesIdentity && policy.NeedsJustification(actor, p.Role) {
			why = flare.JustificationFrom(ctx)
		}
		if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "person", recordID: p.ID, caseID: sc.c.ID,
			fields: changed, justification: why}); err != nil {
			return err
		}
		// The answer shows what the actor may read, as a read would.
		p.PersonIdentity = nil
		if _, _, err := s.reveal(ctx, tx, sc, sp); err != nil {
			return err
		}
		if err := s.fillDeadlines(ctx, tx, p); err != nil {
			return err
		}
		out = p
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// groupsOf returns the field groups of the named person fields.
func groupsOf(fields []string) []flare.FieldGroup {
	var out []flare.FieldGroup
	for _, f := range fields {
		if g, ok := policy.GroupOf(f); ok && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// writeUpdate stores an updated person at version+1, resealing the
// identity (and rewriting the name index) when key is set.
func (s *PersonService) writeUpdate(ctx context.Context, tx *sql.Tx, sp *storedPerson, key *vault.DataKey, upd flare.PersonUpdate) error {
	p := sp.p
	if key != nil {
		sealed, err := sealIdentity(key, p.ID, p.PersonIdentity)
		if err != nil {
			return err
		}
		sp.sealed = sealed
	}
	profile, err := profileValues(p)
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	args := []any{string(p.Role)}
	for _, c := range sealedPersonColumns {
		args = append(args, sp.sealed[c])
	}
	args = append(args, profile...)
	args = append(args, now, p.ID, upd.Version)
	res, err := tx.ExecContext(ctx, `UPDATE persons SET role = $1, first_name = $2, middle_name = $3, second_name = $4,
		birthdate = $5, contact = $6, identity_documents = $7, gender = $8, age_years = $9, age_estimated = $10,
		citizenship = $11, primary_language = $12, secondary_language = $13, victim_stage = $14, victim_status = $15,
		version = version + 1, updated_at = $16 WHERE id = $17 AND version = $18`, args...)
	if err != nil {
		return fmt.Errorf("update person %s: %w", p.ID, s.db.dialect.translate(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("update person %s: %w", p.ID, err)
	} else if n != 1 {
		return stalePerson(p.Version+1, upd.Version)
	}
	p.Version++
	p.UpdatedAt = now
	if key != nil && (upd.FirstName != nil || upd.MiddleName != nil || upd.SecondName != nil) {
		return s.indexNames(ctx, tx, p, true)
	}
	return nil
}

func stalePerson(current, given int64) error {
	return &flare.Error{Code: flare.ECONFLICT,
		Message: fmt.Sprintf("the person was changed by someone else (version %d, your change was based on %d); reload and apply your change again", current, given),
		Fields:  map[string]string{"version": "stale"}}
}

// FindPersons implements flare.PersonService. The blind index proposes
// candidates among the cases the actor's agency owns or was granted; each
// is confirmed by decrypting its names (a 32-bit token can collide), and
// only people whose identity the actor may read now are returned, each an
// audited read.
func (s *PersonService) FindPersons(ctx context.Context, name string) ([]*flare.Person, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	want := vault.NormaliseTokens(name)
	tokens, err := s.keys.Vault().BlindIndex(personNameField, name)
	if err != nil {
		return nil, fmt.Errorf("blind index of the searched name: %w", err)
	}
	if len(tokens) == 0 {
		return nil, flare.FieldError("name", "give at least one word of a name")
	}
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	ph := make([]string, len(tokens))
	for i, t := range tokens {
		ph[i] = arg(t)
	}
	query := `SELECT person_id, case_id FROM person_name_tokens WHERE token IN (` + strings.Join(ph, ", ") + `)`
	if !actor.Console {
		a := arg(actor.AgencyID)
		query += ` AND case_id IN (SELECT id FROM cases WHERE agency_id = ` + a + `
			UNION SELECT case_id FROM case_grants WHERE agency_id = ` + a + ` AND revoked_at IS NULL)`
	}
	query += fmt.Sprintf(` GROUP BY person_id, case_id HAVING COUNT(DISTINCT token) = %d ORDER BY person_id LIMIT %d`, len(tokens), 4*maxFoundPersons)
	var out []*flare.Person
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := candidateIDs(ctx, tx, query, args)
		if err != nil {
			return err
		}
		scopes := map[string]personScope{}
		for _, id := range ids {
			if len(out) == maxFoundPersons {
				break
			}
			p, err := s.confirmMatch(ctx, tx, scopes, id, want)
			if err != nil {
				return err
			}
			if p != nil {
				out = append(out, p)
			}
		}
		return nil
	})
	return out, err
}

func candidateIDs(ctx context.Context, tx *sql.Tx, query string, args []any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search names: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id, caseID string
		if err := rows.Scan(&id, &caseID); err != nil {
			return nil, fmt.Errorf("search names: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// confirmMatch returns the person id if the actor may read its identity
// and its names really hold every wanted word; nil otherwise. A returned
// person is an audited read.
func (s *PersonService) confirmMatch(ctx context.Context, tx *sql.Tx, scopes map[string]personScope, id string, want []string) (*flare.Person, error) {
	sp, err := s.loadPerson(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	sc, ok := scopes[sp.p.CaseID]
	if !ok {
		if sc, err = s.scope(ctx, tx, sp.p.CaseID); err != nil {
			return nil, err
		}
		scopes[sp.p.CaseID] = sc
	}
	fields, why, err := s.reveal(ctx, tx, sc, sp)
	if code := flare.ErrorCodeOf(err); code == flare.EFORBIDDEN || code == flare.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if sp.p.PersonIdentity == nil {
		return nil, nil // identity withheld: a name search must not confirm it
	}
	have := vault.NormaliseTokens(sp.p.FullName())
	for _, w := range want {
		if !slices.Contains(have, w) {
			return nil, nil // a false match of the 32-bit index
		}
	}
	return sp.p, s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "person", recordID: sp.p.ID, caseID: sc.c.ID,
		fields: fields, justification: why})
}

// ExportPerson implements flare.PersonService: subject access (security
// checklist R-DP2). Everything held on the person, decrypted; the case; the
// grants that cover the person, active or not; and a summary of the audit
// trail (counts and dates per agency and action, no values). Only those the
// policy lets export (the owning agency's supervisors, the console) may,
// and the export is itself audited.
func (s *PersonService) ExportPerson(ctx context.Context, id string) (*flare.PersonExport, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	var out *flare.PersonExport
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		sp, err := s.loadPerson(ctx, tx, id)
		if err != nil {
			return err
		}
		sc, err := s.scope(ctx, tx, sp.p.CaseID)
		if err != nil {
			return err
		}
		rec := sc.record(sp.p.ID)
		if err := policy.Error(policy.Decide(actor, policy.Export, rec, sc.grants), rec); err != nil {
			return deniedPerson(err, audit.ActionExport, sp.p.ID, sc.c.ID, nil)
		}
		if policy.NeedsJustification(actor, sp.p.Role) && flare.JustificationFrom(ctx) == "" {
			return flare.FieldError("justification", "is required to export a victim's identity")
		}
		ident, err := s.open(ctx, tx, sp)
		switch {
		case errors.Is(err, ErrDataKeyDestroyed):
			sp.p.IdentityWithheld = flare.IdentityErased
		case err != nil:
			return err
		default:
			sp.p.PersonIdentity = ident
		}
		out = &flare.PersonExport{Person: sp.p, Case: sc.c, ExportedAt: s.db.now().UTC()}
		if out.Grants, err = s.grantsCovering(ctx, tx, sp.p); err != nil {
			return err
		}
		if out.AuditSummary, err = s.auditSummary(ctx, tx, sp.p.ID); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionExport, recordType: "person", recordID: sp.p.ID, caseID: sc.c.ID,
			fields:        append(policy.GroupFields(flare.FieldGroupIdentity), policy.GroupFields(flare.FieldGroupProfile)...),
			justification: flare.JustificationFrom(ctx)})
	})
	return out, s.db.auditDenied(ctx, err)
}

// grantsCovering lists the grants of the person's case that cover the
// person (whole-case grants and those naming them), revoked ones included.
func (s *PersonService) grantsCovering(ctx context.Context, tx *sql.Tx, p *flare.Person) ([]*flare.CaseGrant, error) {
	all, err := s.db.loadGrants(ctx, tx, `WHERE case_id = $1 ORDER BY created_at, id`, p.CaseID)
	if err != nil {
		return nil, fmt.Errorf("grants of person %s: %w", p.ID, err)
	}
	out := []*flare.CaseGrant{}
	for _, g := range all {
		if len(g.PersonIDs) == 0 || slices.Contains(g.PersonIDs, p.ID) {
			out = append(out, g)
		}
	}
	return out, nil
}

// auditSummary counts the audit entries about a person by agency and
// action, with the first and last time of each.
func (s *PersonService) auditSummary(ctx context.Context, tx *sql.Tx, personID string) ([]flare.PersonAuditLine, error) {
	rows, err := tx.QueryContext(ctx, `SELECT agency_id, console, action, at FROM audit_entries
		WHERE record_type = 'person' AND record_id = $1 AND outcome = $2 ORDER BY seq`, personID, string(audit.OutcomeOK))
	if err != nil {
		return nil, fmt.Errorf("audit summary of person %s: %w", personID, err)
	}
	defer rows.Close()
	out := []flare.PersonAuditLine{}
	index := map[string]int{}
	for rows.Next() {
		var l flare.PersonAuditLine
		var at time.Time
		if err := rows.Scan(&l.AgencyID, &l.Console, &l.Action, &at); err != nil {
			return nil, fmt.Errorf("audit summary of person %s: %w", personID, err)
		}
		at = at.UTC()
		k := fmt.Sprintf("%s|%t|%s", l.AgencyID, l.Console, l.Action)
		i, ok := index[k]
		if !ok {
			l.First = at
			index[k], i = len(out), len(out)
			out = append(out, l)
		}
		out[i].Count++
		out[i].Last = at
	}
	return out, rows.Err()
}
