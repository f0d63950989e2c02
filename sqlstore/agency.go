package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flare-ilo/flare"
)

// AgencyService implements flare.AgencyService.
type AgencyService struct{ db *DB }

// NewAgencyService returns the agency service on db.
func NewAgencyService(db *DB) *AgencyService { return &AgencyService{db: db} }

var _ flare.AgencyService = (*AgencyService)(nil)

// CreateAgency implements flare.AgencyService.
func (s *AgencyService) CreateAgency(ctx context.Context, a *flare.Agency) error {
	if err := a.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	_, err = s.db.sql.ExecContext(ctx,
		`INSERT INTO agencies (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`,
		id, a.Name, string(a.Kind), now)
	if err != nil {
		if s.db.dialect.constraint(err) == uniqueViolation {
			return flare.Errorf(flare.ECONFLICT, "an agency named %q already exists", a.Name)
		}
		return fmt.Errorf("insert agency: %w", s.db.dialect.translate(err))
	}
	a.ID, a.CreatedAt = id, now
	return nil
}

// Agency implements flare.AgencyService.
func (s *AgencyService) Agency(ctx context.Context, id string) (*flare.Agency, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "agency not found")
	}
	return s.one(ctx, `WHERE id = $1`, id)
}

// AgencyByName implements flare.AgencyService.
func (s *AgencyService) AgencyByName(ctx context.Context, name string) (*flare.Agency, error) {
	return s.one(ctx, `WHERE name = $1`, flare.CleanLine(name))
}

func (s *AgencyService) one(ctx context.Context, where string, arg any) (*flare.Agency, error) {
	row := s.db.sql.QueryRowContext(ctx, `SELECT id, name, kind, created_at FROM agencies `+where, arg)
	a, err := scanAgency(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "agency not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load agency: %w", err)
	}
	return a, nil
}

// Agencies implements flare.AgencyService.
func (s *AgencyService) Agencies(ctx context.Context) ([]*flare.Agency, error) {
	rows, err := s.db.sql.QueryContext(ctx, `SELECT id, name, kind, created_at FROM agencies ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	defer rows.Close()
	var out []*flare.Agency
	for rows.Next() {
		a, err := scanAgency(rows)
		if err != nil {
			return nil, fmt.Errorf("list agencies: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agencies: %w", err)
	}
	return out, nil
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanAgency(r scanner) (*flare.Agency, error) {
	var a flare.Agency
	var kind string
	if err := r.Scan(&a.ID, &a.Name, &kind, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.Kind = flare.AgencyKind(kind)
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}
