package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/policy"
)

// CaseService implements flare.CaseService.
type CaseService struct{ db *DB }

// NewCaseService returns the case service on db.
func NewCaseService(db *DB) *CaseService { return &CaseService{db: db} }

var _ flare.CaseService = (*CaseService)(nil)

const caseColumns = `id, agency_id, reference, title, status, opened_on, closed_on, version, created_at, updated_at`

// maxCaseList caps one page of cases.
const maxCaseList = 500

// authorize asks the policy about one case record.
func authorize(ctx context.Context, action policy.Action, ownerAgencyID string) error {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	rec := policy.Record{Type: "case", OwnerAgencyID: ownerAgencyID}
	return policy.Error(policy.Decide(actor, action, rec), rec)
}

// CreateCase implements flare.CaseService.
func (s *CaseService) CreateCase(ctx context.Context, c *flare.Case) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !validID(c.AgencyID) {
		return flare.FieldError("agency_id", "no such agency")
	}
	if err := authorize(ctx, policy.Create, c.AgencyID); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	_, err = s.db.sql.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`)
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
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = id, 1, now, now
	return nil
}

// Case implements flare.CaseService.
func (s *CaseService) Case(ctx context.Context, id string) (*flare.Case, error) {
	c, err := s.load(ctx, s.db.sql, id)
	if err != nil {
		return nil, err
	}
	if err := authorize(ctx, policy.Read, c.AgencyID); err != nil {
		return nil, err
	}
	return c, nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *CaseService) load(ctx context.Context, q querier, id string) (*flare.Case, error) {
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

// Cases implements flare.CaseService. A user sees only the cases of their
// own agency; asking for another agency's cases returns none rather than an
// error, so the answer tells nothing about that agency's work.
func (s *CaseService) Cases(ctx context.Context, f flare.CaseFilter) ([]*flare.Case, error) {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return nil, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if !actor.Console {
		if f.AgencyID != "" && f.AgencyID != actor.AgencyID {
			return nil, nil
		}
		f.AgencyID = actor.AgencyID
	}
	if f.AgencyID != "" {
		if !validID(f.AgencyID) {
			return nil, nil
		}
		add("agency_id = $%d", f.AgencyID)
	}
	if f.Status != "" {
		if !f.Status.Valid() {
			return nil, flare.FieldError("status", "%q is not a case status", f.Status)
		}
		add("status = $%d", string(f.Status))
	}
	if f.Limit <= 0 || f.Limit > maxCaseList {
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
	rows, err := s.db.sql.QueryContext(ctx, query, args...)
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
		c, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := authorize(ctx, policy.Update, c.AgencyID); err != nil {
			return err
		}
		if c.Version != upd.Version {
			return staleVersion(c.Version, upd.Version)
		}
		applyCaseUpdate(c, upd)
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
		return nil
	})
	return out, err
}

func applyCaseUpdate(c *flare.Case, upd flare.CaseUpdate) {
	if upd.Title != nil {
		c.Title = *upd.Title
	}
	if upd.Status != nil {
		c.Status = *upd.Status
	}
	if upd.ClosedOn != nil {
		c.ClosedOn = *upd.ClosedOn
	}
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
