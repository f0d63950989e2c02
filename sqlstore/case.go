package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// CaseService implements flare.CaseService.
type CaseService struct{ db *DB }

// NewCaseService returns the case service on db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

var _ flare.CaseService = (*CaseService)(nil)

const caseColumns = `id, agency_id, reference, title, status, opened_on, closed_on, version, created_at, updated_at`

// Page sizes of the case list: every case listed is a read, audited, so a
// page stays small.
const (
	defaultCaseList = 100
	maxCaseList     = 500
)

// authorizeNew asks the policy whether the actor may create a case owned by
// agencyID.
func authorizeNew(ctx context.Context, agencyID string) error {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	rec := policy.Record{Type: "case", OwnerAgencyID: agencyID}
	return policy.Error(policy.Decide(actor, policy.Create, rec, nil), rec)
}

// authorizeCase asks the policy whether the actor may perform action on c,
// given the case's grants in force.
func (db *DB) authorizeCase(ctx context.Context, q queryer, action policy.Action, c *flare.Case) error {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	var grants []policy.Grant
	if !actor.Console && actor.AgencyID != c.AgencyID {
		var err error
		if grants, err = db.activeGrants(ctx, q, c.ID); err != nil {
			return err
		}
	}
	rec := policy.Record{Type: "case", OwnerAgencyID: c.AgencyID}
	return policy.Error(policy.Decide(actor, action, rec, grants), rec)
}

// CreateCase implements flare.CaseService.
func (s *CaseService) CreateCase(ctx context.Context, c *flare.Case) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !validID(c.AgencyID) {
		return flare.FieldError("agency_id", "no such agency")
	}
	if err := authorizeNew(ctx, c.AgencyID); err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionCreate, recordType: "case"})
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			id, c.AgencyID, c.Reference, c.Title, string(c.Status), c.OpenedOn, c.ClosedOn, 1, now, now)
		switch s.db.dialect.constraint(err) {
		case uniqueViolation:
			return &flare.Error{Code: flare.ECONFLICT,
				Message: fmt.Sprintf("the reference %q is already used by another case of this agency", c.Reference),
				Fields:  map[string]string{"reference": "already used"}}
		case foreignKeyViolation:
			return flare.FieldError("agency_id", "no such agency")
		}
		if err != nil {
			return fmt.Errorf("insert case: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "case", recordID: id, caseID: id,
			fields: caseFieldsSet(c)})
	})
	if err != nil {
		return err
	}
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = id, 1, now, now
	return nil
}

// caseFieldsSet names the fields a new case carries, for the audit trail.
func caseFieldsSet(c *flare.Case) []string {
	f := []string{"agency_id", "reference", "title", "status", "opened_on"}
	if c.ClosedOn != nil {
		f = append(f, "closed_on")
	}
	return f
}

// Case implements flare.CaseService.
func (s *CaseService) Case(ctx context.Context, id string) (*flare.Case, error) {
	var out *flare.Case
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Read, c); err != nil {
			return deniedCase(err, audit.ActionRead, c.ID)
		}
		out = c
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "case", recordID: c.ID, caseID: c.ID, fields: caseReadFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) loadCase(ctx context.Context, q querier, id string) (*flare.Case, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "case not found")
	}
	c, err := scanCase(q.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "case not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load case %s: %w", id, err)
	}
	return c, nil
}

// Cases implements flare.CaseService. A user sees the cases of their own
// agency and the cases another agency shared whole with theirs; filtering
// by an agency narrows that, and never widens it.
func (s *CaseService) Cases(ctx context.Context, f flare.CaseFilter) ([]*flare.Case, error) {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return nil, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !actor.Console {
		// Roles that see no case contents are refused the list outright.
		own := policy.Record{Type: "case", OwnerAgencyID: actor.AgencyID}
		if err := policy.Error(policy.Decide(actor, policy.Read, own, nil), own); err != nil {
			return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "case"})
		}
		a := arg(actor.AgencyID)
		where = append(where, `(agency_id = `+a+` OR id IN (SELECT case_id FROM case_grants WHERE agency_id = `+a+
			` AND revoked_at IS NULL AND person_ids = '' AND (expires_on IS NULL OR expires_on >= `+arg(flare.DateOf(s.db.now()))+`)))`)
	}
	if f.AgencyID != "" {
		if !validID(f.AgencyID) {
			return nil, nil
		}
		where = append(where, "agency_id = "+arg(f.AgencyID))
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, flare.FieldError("status", "%q is not a case status", f.Status)
		}
		where = append(where, "status = "+arg(string(f.Status)))
	}
	switch {
	case f.Limit <= 0:
		f.Limit = defaultCaseList
	case f.Limit > maxCaseList:
		f.Limit = maxCaseList
	}
	if f.Offset < 0 {
		return nil, flare.FieldError("offset", "must not be negative")
	}
	query := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT %d OFFSET %d`, f.Limit, f.Offset)
	var out []*flare.Case
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = queryCases(ctx, tx, query, args); err != nil {
			return err
		}
		// Each case shown in a list is a read of it.
		for _, c := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "case", recordID: c.ID, caseID: c.ID,
				fields: []string{"reference", "title", "status", "opened_on"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

func queryCases(ctx context.Context, tx *sql.Tx, query string, args []any) ([]*flare.Case, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	var out []*flare.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return out, nil
}

// UpdateCase implements flare.CaseService. The version check is in the
// UPDATE itself, so two concurrent saves of the same version cannot both
// succeed on either backend.
func (s *CaseService) UpdateCase(ctx context.Context, id string, upd flare.CaseUpdate) (*flare.Case, error) {
	var out *flare.Case
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Update, c); err != nil {
			return deniedCase(err, audit.ActionUpdate, c.ID)
		}
		if c.Version != upd.Version {
			return staleVersion(c.Version, upd.Version)
		}
		changed := applyCaseUpdate(c, upd)
		if err := c.Validate(); err != nil {
			return err
		}
		now := s.db.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE cases SET title = $1, status = $2, closed_on = $3,
			version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6`,
			c.Title, string(c.Status), c.ClosedOn, now, id, upd.Version)
		if err != nil {
			return fmt.Errorf("update case %s: %w", id, s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update case %s: %w", id, err)
		} else if n != 1 {
			return staleVersion(c.Version+1, upd.Version)
		}
		c.Version++
		c.UpdatedAt = now
		out = c
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "case", recordID: c.ID, caseID: c.ID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// applyCaseUpdate applies upd to c and names the fields it sets.
func applyCaseUpdate(c *flare.Case, upd flare.CaseUpdate) []string {
	var changed []string
	if upd.Title != nil {
		c.Title = *upd.Title
		changed = append(changed, "title")
	}
	if upd.Status != nil {
		c.Status = *upd.Status
		changed = append(changed, "status")
	}
	if upd.ClosedOn != nil {
		c.ClosedOn = *upd.ClosedOn
		changed = append(changed, "closed_on")
	}
	return changed
}

// caseReadFields names what a read of a case returns.
func caseReadFields() []string {
	return []string{"reference", "title", "status", "opened_on", "closed_on"}
}

// denial carries a policy refusal out of a transaction, with what the audit
// trail must say about it once the transaction has rolled back.
type denial struct {
	err error
	ev  auditEvent
}

func (d *denial) Error() string { return d.err.Error() }
func (d *denial) Unwrap() error { return d.err }

// deniedCase wraps a policy refusal of action on a case.
func deniedCase(err error, action audit.Action, caseID string) error {
	return &denial{err: err, ev: auditEvent{action: action, recordType: "case", recordID: caseID, caseID: caseID}}
}

// auditDenied records the denial err carries, if any, and returns the
// refusal itself; other errors pass through.
func (db *DB) auditDenied(ctx context.Context, err error) error {
	var d *denial
	if !errors.As(err, &d) {
		return err
	}
	return db.recordDenial(ctx, d.err, d.ev)
}

func staleVersion(current, given int64) error {
	return &flare.Error{Code: flare.ECONFLICT,
		Message: fmt.Sprintf("the case was changed by someone else (version %d, your change was based on %d); reload it and apply your change again", current, given),
		Fields:  map[string]string{"version": "stale"}}
}

func scanCase(r scanner) (*flare.Case, error) {
	var c flare.Case
	var status string
	var closed sql.NullTime
	if err := r.Scan(&c.ID, &c.AgencyID, &c.Reference, &c.Title, &status, &c.OpenedOn, &closed,
		&c.Version, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.Status = flare.CaseStatus(status)
	c.OpenedOn = flare.DateOf(c.OpenedOn)
	if closed.Valid {
		d := flare.DateOf(closed.Time)
		c.ClosedOn = &d
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CaseAudit returns who did what to a case and when, newest first: the
// supervisor's "who looked at this case". Only roles the policy lets read
// the audit trail get it, and reading it is itself recorded.
func (s *CaseService) CaseAudit(ctx context.Context, id string) ([]audit.Entry, error) {
	var out []audit.Entry
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.ReadAudit, c); err != nil {
			return &denial{err: err, ev: auditEvent{action: audit.ActionRead, recordType: "audit_log", caseID: c.ID}}
		}
		if out, err = s.db.AuditEntries(ctx, AuditFilter{CaseID: c.ID, Limit: 500}); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "audit_log", caseID: c.ID})
	})
	return out, s.db.auditDenied(ctx, err)
}
