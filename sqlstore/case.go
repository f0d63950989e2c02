package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// CaseService implements flare.CaseService.
type CaseService struct {
	db *DB
	// keys gives the blind index of people's names; without it the case
	// list cannot search by name.
	keys *KeyStore
}

// NewCaseService returns the case service on db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

// WithKeys lets the service search cases by the names of their people,
// through the blind index of the key ring behind k.
func (s *CaseService) WithKeys(k *KeyStore) *CaseService {
	s.keys = k
	return s
}

var _ flare.CaseService = (*CaseService)(nil)

const caseColumns = `id, agency_id, reference, title, status, opened_on, closed_on, version, created_at, updated_at,
	closure_reason, region, assigned_to`

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
		if err := s.db.checkAssignee(ctx, tx, c); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			id, c.AgencyID, c.Reference, c.Title, string(c.Status), c.OpenedOn, c.ClosedOn, 1, now, now,
			string(c.ClosureReason), c.Region, nullString(c.AssignedTo))
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
		if err := s.db.indexText(ctx, tx, "case", id, id, c.Title, c.Region); err != nil {
			return err
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
		f = append(f, "closed_on", "closure_reason")
	}
	if c.Region != "" {
		f = append(f, "region")
	}
	if c.AssignedTo != "" {
		f = append(f, "assigned_to")
	}
	return f
}

// checkAssignee refuses to assign a case to someone who is not an active
// user of the case's own agency: the column has no foreign key (SQLite
// cannot drop such a column in a down migration), so the rule lives here.
func (db *DB) checkAssignee(ctx context.Context, q querier, c *flare.Case) error {
	if c.AssignedTo == "" {
		return nil
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND agency_id = $2 AND disabled_at IS NULL`,
		c.AssignedTo, c.AgencyID).Scan(&n)
	if !validID(c.AssignedTo) || (err == nil && n == 0) {
		return flare.FieldError("assigned_to", "is not an active user of the case's agency")
	}
	if err != nil {
		return fmt.Errorf("check assignee: %w", db.dialect.translate(err))
	}
	return nil
}

// nullString stores "" as NULL, for optional references.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
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
	var own, shared string // the two halves of what a user may see
	if !actor.Console {
		// Roles that see no case contents are refused the list outright.
		rec := policy.Record{Type: "case", OwnerAgencyID: actor.AgencyID}
		if err := policy.Error(policy.Decide(actor, policy.Read, rec, nil), rec); err != nil {
			return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "case"})
		}
		a := arg(actor.AgencyID)
		own = `agency_id = ` + a
		shared = `agency_id <> ` + a + ` AND id IN (SELECT case_id FROM case_grants WHERE agency_id = ` + a +
			` AND revoked_at IS NULL AND person_ids = '' AND (expires_on IS NULL OR expires_on >= ` + arg(flare.DateOf(s.db.now())) + `))`
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
	more, empty, err := s.filterClauses(f, arg)
	if err != nil {
		return nil, err
	}
	if empty {
		return nil, nil
	}
	where = append(where, more...)
	switch {
	case f.Limit <= 0:
		f.Limit = defaultCaseList
	case f.Limit > maxCaseList:
		f.Limit = maxCaseList
	}
	if f.Offset < 0 {
		return nil, flare.FieldError("offset", "must not be negative")
	}
	query := caseListQuery(where, own, shared, f.Limit, f.Offset)
	var out []*flare.Case
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
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

// caseListQuery selects a page of cases newest first. For a user, what they
// may see is their agency's cases or cases shared whole with it: written as
// one condition with OR, neither database can walk the (agency_id,
// created_at) index and both sort every case of the agency to show a page
// (0.3 s at 35,000 cases, docs/benchmarks.md). So each half is its own
// ordered, limited branch, and only the two short branches are merged.
func caseListQuery(where []string, own, shared string, limit, offset int) string {
	order := ` ORDER BY created_at DESC, id DESC`
	branch := func(cond string) string {
		conds := slices.Clone(where)
		if cond != "" {
			conds = append(conds, cond)
		}
		q := `SELECT ` + caseColumns + ` FROM cases`
		if len(conds) > 0 {
			q += ` WHERE ` + strings.Join(conds, " AND ")
		}
		return q
	}
	if own == "" {
		return branch("") + order + fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset)
	}
	top := fmt.Sprintf(` LIMIT %d`, limit+offset)
	return `SELECT * FROM (SELECT * FROM (` + branch(own) + order + top + `) AS own_cases
		UNION ALL SELECT * FROM (` + branch(shared) + order + top + `) AS shared_cases) AS visible` +
		order + fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset)
}

// filterClauses turns the casework filters into SQL conditions on cases,
// adding their values through arg. empty is true when the filter can match
// nothing (a query with no searchable word), so no query need run.
func (s *CaseService) filterClauses(f flare.CaseFilter, arg func(any) string) (where []string, empty bool, err error) {
	if r := flare.CleanLine(f.Region); r != "" {
		where = append(where, "region = "+arg(r))
	}
	if f.Sector != "" {
		if !flare.ValidISICSection(f.Sector) {
			return nil, false, flare.FieldError("sector", "%q is not an ISIC Rev.4 section letter (A to U)", f.Sector)
		}
		where = append(where, "id IN (SELECT case_id FROM worksites WHERE isic_section = "+arg(f.Sector)+")")
	}
	if f.OverdueTasks {
		where = append(where, "id IN (SELECT case_id FROM tasks WHERE done_at IS NULL AND due_on < "+
			arg(flare.DateOf(s.db.now()))+")")
	}
	if f.AssignedTo != "" {
		if !validID(f.AssignedTo) {
			return nil, true, nil
		}
		where = append(where, "assigned_to = "+arg(f.AssignedTo))
	}
	if strings.TrimSpace(f.Text) != "" {
		terms := searchTerms(f.Text)
		if len(terms) == 0 {
			return nil, true, nil
		}
		where = append(where, s.db.dialect.textMatch(arg(s.db.textQuery(terms))))
	}
	if strings.TrimSpace(f.Name) != "" {
		clause, ok, err := s.nameClause(f.Name, arg)
		if err != nil || !ok {
			return nil, !ok, err
		}
		where = append(where, clause)
	}
	return where, false, nil
}

// nameClause matches cases with a person whose name holds every word of
// name, through the blind index (person_name_tokens, one row per token of a
// person's names). A 32-bit token can collide (vault.BlindIndexBytes): the
// person's page confirms by decrypting, the case list does not.
func (s *CaseService) nameClause(name string, arg func(any) string) (string, bool, error) {
	if s.keys == nil {
		return "", false, flare.Errorf(flare.EINTERNAL, "name search needs the key ring")
	}
	tokens, err := s.keys.Vault().BlindIndex(personNameField, name)
	if err != nil {
		return "", false, fmt.Errorf("blind index of the searched name: %w", err)
	}
	if len(tokens) == 0 {
		return "", false, nil
	}
	ph := make([]string, len(tokens))
	for i, t := range tokens {
		ph[i] = arg(t)
	}
	return fmt.Sprintf(`id IN (SELECT case_id FROM person_name_tokens WHERE token IN (%s)
		GROUP BY case_id, person_id HAVING COUNT(DISTINCT token) = %d)`, strings.Join(ph, ", "), len(tokens)), true, nil
}

// personNameField is the blind-index field of people's names: the person
// service indexes names under it and the case list searches them.
const personNameField = "person.name"

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
		changed, err := applyCaseUpdate(c, upd, flare.DateOf(s.db.now()))
		if err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		if upd.AssignedTo != nil {
			if err := s.db.checkAssignee(ctx, tx, c); err != nil {
				return err
			}
		}
		now := s.db.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE cases SET title = $1, status = $2, closed_on = $3,
			version = version + 1, updated_at = $4, closure_reason = $7, region = $8, assigned_to = $9
			WHERE id = $5 AND version = $6`,
			c.Title, string(c.Status), c.ClosedOn, now, id, upd.Version, string(c.ClosureReason), c.Region, nullString(c.AssignedTo))
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
		if err := s.db.indexText(ctx, tx, "case", c.ID, c.ID, c.Title, c.Region); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "case", recordID: c.ID, caseID: c.ID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// applyCaseUpdate applies upd to c and names the fields it sets. A status
// change must follow the workflow (flare.CaseStatus.CanMoveTo); closing
// dates the closure today unless a date is given, and reopening clears the
// closure.
func applyCaseUpdate(c *flare.Case, upd flare.CaseUpdate, today time.Time) ([]string, error) {
	var changed []string
	if upd.Title != nil {
		c.Title = *upd.Title
		changed = append(changed, "title")
	}
	if upd.Region != nil {
		c.Region = *upd.Region
		changed = append(changed, "region")
	}
	if upd.AssignedTo != nil {
		c.AssignedTo = *upd.AssignedTo
		changed = append(changed, "assigned_to")
	}
	if upd.Status != nil && *upd.Status != c.Status {
		next := *upd.Status
		if !next.Valid() {
			return nil, flare.FieldError("status", "%q is not a case status", next)
		}
		if !c.Status.CanMoveTo(next) {
			return nil, &flare.Error{Code: flare.ECONFLICT,
				Message: fmt.Sprintf("a case cannot go from %s to %s", c.Status, next),
				Fields:  map[string]string{"status": "not allowed from " + string(c.Status)}}
		}
		switch {
		case next == flare.CaseClosed && upd.ClosedOn == nil:
			c.ClosedOn = &today
			changed = append(changed, "closed_on")
		case c.Status == flare.CaseClosed:
			c.ClosedOn, c.ClosureReason = nil, ""
			changed = append(changed, "closed_on", "closure_reason")
		}
		c.Status = next
		changed = append(changed, "status")
	}
	if upd.ClosedOn != nil {
		c.ClosedOn = *upd.ClosedOn
		changed = append(changed, "closed_on")
	}
	if upd.ClosureReason != nil {
		c.ClosureReason = *upd.ClosureReason
		changed = append(changed, "closure_reason")
	}
	return changed, nil
}

// caseReadFields names what a read of a case returns.
func caseReadFields() []string {
	return []string{"reference", "title", "status", "opened_on", "closed_on", "closure_reason", "region", "assigned_to"}
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
	var reason string
	var assignee sql.NullString
	if err := r.Scan(&c.ID, &c.AgencyID, &c.Reference, &c.Title, &status, &c.OpenedOn, &closed,
		&c.Version, &c.CreatedAt, &c.UpdatedAt, &reason, &c.Region, &assignee); err != nil {
		return nil, err
	}
	c.Status = flare.CaseStatus(status)
	c.ClosureReason = flare.ClosureReason(reason)
	c.AssignedTo = assignee.String
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
