package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/vault"
)

// AssessmentService implements flare.AssessmentService: screenings of
// people, sealed under each person's data key.
type AssessmentService struct {
	db     *DB
	keys   *KeyStore
	config screening.Config
}

// NewAssessmentService returns the assessment service on db, screening with
// cfg (the country's choices, e.g. the presumption of minority).
func NewAssessmentService(db *DB, keys *KeyStore, cfg screening.Config) *AssessmentService {
	return &AssessmentService{db: db, keys: keys, config: cfg}
}

var _ flare.AssessmentService = (*AssessmentService)(nil)

const assessmentColumns = `id, case_id, person_id, agency_id, rule_version, input, result, interpreter, assessed_by, assessed_at`

// maxAssessmentsListed caps the history of one person.
const maxAssessmentsListed = 200

func assessmentLocation(id, column string) vault.Location {
	return vault.Location{Table: "assessments", Column: column, RowID: id}
}

// personCase authorizes action on the assessments of a person and returns
// the person's case.
func (s *AssessmentService) personCase(ctx context.Context, tx *sql.Tx, personID string, action policy.Action) (*flare.Case, error) {
	return s.db.personScope(ctx, tx, personID, action, "assessment")
}

// personScope authorizes action on a record of recordType about a person
// (a screening, a wage claim) and returns the person's case. It goes
// through the same policy as the person: a person-scoped grant covers
// these records, and someone who may not know the person exists gets "not
// found" even when adding to their record.
func (db *DB) personScope(ctx context.Context, tx *sql.Tx, personID string, action policy.Action, recordType string) (*flare.Case, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	notFound := flare.Errorf(flare.ENOTFOUND, "person not found")
	if !validID(personID) {
		return nil, notFound
	}
	var caseID string
	err = tx.QueryRowContext(ctx, `SELECT case_id FROM persons WHERE id = $1`, personID).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound
	}
	if err != nil {
		return nil, fmt.Errorf("load person %s: %w", personID, db.dialect.translate(err))
	}
	c, err := db.loadCase(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	var grants []policy.Grant
	if !actor.Console && actor.AgencyID != c.AgencyID {
		if grants, err = db.activeGrants(ctx, tx, c.ID); err != nil {
			return nil, err
		}
	}
	rec := policy.Record{Type: recordType, OwnerAgencyID: c.AgencyID, PersonID: personID}
	d := policy.Decide(actor, action, rec, grants)
	if d != policy.Allow && policy.Decide(actor, policy.Read, rec, grants) == policy.DenyNotFound {
		d = policy.DenyNotFound
	}
	if err := policy.Error(d, rec); err != nil {
		auditAction := audit.ActionRead
		switch action {
		case policy.Create:
			auditAction = audit.ActionCreate
		case policy.Update:
			auditAction = audit.ActionUpdate
		}
		return nil, &denial{err: err, ev: auditEvent{action: auditAction, recordType: recordType, caseID: c.ID}}
	}
	return c, nil
}

// Screen implements flare.AssessmentService.
func (s *AssessmentService) Screen(ctx context.Context, a *flare.Assessment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	rules, _ := screening.Rules(a.Rule)
	result, err := rules.Screen(a.Input, s.config)
	var ie *screening.InputError
	if errors.As(err, &ie) {
		return flare.FieldError(ie.Field, "%s", ie.Message)
	}
	if err != nil {
		return fmt.Errorf("screen: %w", err)
	}
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.personCase(ctx, tx, a.PersonID, policy.Create)
		if err != nil {
			return err
		}
		a.ID, a.CaseID, a.AgencyID, a.Result, a.AssessedBy, a.AssessedAt = id, c.ID, actor.AgencyID, result, actor.UserID, now
		if actor.Console {
			a.AgencyID = c.AgencyID
			a.AssessedBy = "console"
		}
		return s.insert(ctx, tx, a)
	})
	return s.db.auditDenied(ctx, err)
}

// insert seals and stores a, its elements and its audit entry in tx.
func (s *AssessmentService) insert(ctx context.Context, tx *sql.Tx, a *flare.Assessment) error {
	key, err := s.keys.DataKey(ctx, tx, personOwner, a.PersonID)
	if err != nil {
		return fmt.Errorf("screen person %s: %w", a.PersonID, err)
	}
	input, err := screening.EncodeInput(a.Input)
	if err != nil {
		return fmt.Errorf("encode screening input: %w", err)
	}
	result, err := json.Marshal(a.Result)
	if err != nil {
		return fmt.Errorf("encode screening result: %w", err)
	}
	sealed := map[string][]byte{"input": input, "result": result, "interpreter": []byte(a.Interpreter)}
	for col, plain := range sealed {
		if sealed[col], err = key.Seal(assessmentLocation(a.ID, col), plain); err != nil {
			return fmt.Errorf("seal assessment %s: %w", col, err)
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO assessments (`+assessmentColumns+`, outcome, child, trafficking)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.CaseID, a.PersonID, a.AgencyID, a.Rule, sealed["input"], sealed["result"], sealed["interpreter"],
		a.AssessedBy, a.AssessedAt, string(a.Result.Result), a.Result.Child, a.Result.Trafficking.Flagged)
	if err != nil {
		return fmt.Errorf("insert assessment: %w", s.db.dialect.translate(err))
	}
	for i, ep := range a.Result.Episodes {
		for _, el := range ep.Elements {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assessment_elements (assessment_id, episode, element)
				VALUES ($1, $2, $3)`, a.ID, i+1, string(el)); err != nil {
				return fmt.Errorf("insert assessment element: %w", s.db.dialect.translate(err))
			}
		}
	}
	return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "assessment", recordID: a.ID, caseID: a.CaseID,
		fields: []string{"person_id", "rule", "input", "result", "interpreter"}})
}

// Assessment implements flare.AssessmentService.
func (s *AssessmentService) Assessment(ctx context.Context, id string) (*flare.Assessment, error) {
	var out *flare.Assessment
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if !validID(id) {
			return flare.Errorf(flare.ENOTFOUND, "assessment not found")
		}
		var personID string
		err := tx.QueryRowContext(ctx, `SELECT person_id FROM assessments WHERE id = $1`, id).Scan(&personID)
		if errors.Is(err, sql.ErrNoRows) {
			return flare.Errorf(flare.ENOTFOUND, "assessment not found")
		}
		if err != nil {
			return fmt.Errorf("load assessment %s: %w", id, s.db.dialect.translate(err))
		}
		if _, err := s.personCase(ctx, tx, personID, policy.Read); err != nil {
			return err
		}
		list, err := s.load(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		out = list[0]
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "assessment", recordID: id, caseID: out.CaseID,
			fields: []string{"rule", "input", "result", "interpreter"}})
	})
	return out, s.db.auditDenied(ctx, err)
}

// PersonAssessments implements flare.AssessmentService.
func (s *AssessmentService) PersonAssessments(ctx context.Context, personID string) ([]*flare.Assessment, error) {
	var out []*flare.Assessment
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.personCase(ctx, tx, personID, policy.Read)
		if err != nil {
			return err
		}
		if out, err = s.load(ctx, tx, fmt.Sprintf(`WHERE person_id = $1 ORDER BY assessed_at DESC, id DESC LIMIT %d`, maxAssessmentsListed), personID); err != nil {
			return err
		}
		for _, a := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "assessment", recordID: a.ID, caseID: c.ID,
				fields: []string{"rule", "input", "result", "interpreter"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// load reads and unseals the assessments a WHERE clause selects.
func (s *AssessmentService) load(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.Assessment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+assessmentColumns+` FROM assessments `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list assessments: %w", s.db.dialect.translate(err))
	}
	type row struct {
		a      *flare.Assessment
		sealed [3][]byte
	}
	var found []row
	for rows.Next() {
		r := row{a: &flare.Assessment{}}
		if err := rows.Scan(&r.a.ID, &r.a.CaseID, &r.a.PersonID, &r.a.AgencyID, &r.a.Rule, &r.sealed[0], &r.sealed[1], &r.sealed[2],
			&r.a.AssessedBy, &r.a.AssessedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan assessment: %w", err)
		}
		r.a.AssessedAt = r.a.AssessedAt.UTC()
		found = append(found, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list assessments: %w", err)
	}
	out := make([]*flare.Assessment, 0, len(found))
	for _, r := range found {
		if err := s.unseal(ctx, tx, r.a, r.sealed); err != nil {
			return nil, err
		}
		out = append(out, r.a)
	}
	return out, nil
}

// unseal opens the sealed columns of a with its person's data key.
func (s *AssessmentService) unseal(ctx context.Context, tx *sql.Tx, a *flare.Assessment, sealed [3][]byte) error {
	key, err := s.keys.DataKey(ctx, tx, personOwner, a.PersonID)
	if err != nil {
		return fmt.Errorf("open assessment %s: %w", a.ID, err)
	}
	var plain [3][]byte
	for i, col := range []string{"input", "result", "interpreter"} {
		if plain[i], err = key.Open(assessmentLocation(a.ID, col), sealed[i]); err != nil {
			return fmt.Errorf("open assessment %s %s: %w", a.ID, col, err)
		}
	}
	if a.Input, err = screening.DecodeInput(plain[0]); err != nil {
		return fmt.Errorf("decode assessment %s input: %w", a.ID, err)
	}
	if err := json.Unmarshal(plain[1], &a.Result); err != nil {
		return fmt.Errorf("decode assessment %s result: %w", a.ID, err)
	}
	a.Interpreter = string(plain[2])
	return nil
}
