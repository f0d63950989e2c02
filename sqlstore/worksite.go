package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// WorksiteService implements flare.WorksiteService: the places where the
// people of a case worked, with their address, coordinates and ISIC Rev.4
// sector. Like organisations they are plaintext, authorised against the
// case and audited in the same transaction.
type WorksiteService struct{ db *DB }

// NewWorksiteService returns the worksite service on db.
func NewWorksiteService(db *DB) *WorksiteService { return &WorksiteService{db: db} }

var _ flare.WorksiteService = (*WorksiteService)(nil)

// The columns of worksites. case_id and isic_section are also read by the
// case list's sector filter (CaseFilter.Sector).
const worksiteColumns = `id, case_id, organisation_id, name, description, street, city, state, postal_code, country,
	latitude, longitude, isic_section, isic_division, version, created_at, updated_at`

const worksiteRecord = "worksite"

// CreateWorksite implements flare.WorksiteService.
func (s *WorksiteService) CreateWorksite(ctx context.Context, w *flare.Worksite) error {
	if err := w.Validate(); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, w.CaseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Create, c, worksiteRecord); err != nil {
			return deniedParty(err, audit.ActionCreate, worksiteRecord, "", c.ID)
		}
		if err := s.db.checkOperator(ctx, tx, w); err != nil {
			return err
		}
		return s.db.insertWorksite(ctx, tx, w)
	})
	return s.db.auditDenied(ctx, err)
}

// checkOperator refuses an organisation that is not one of the worksite's
// own case: a worksite never points into another case, which its readers
// may not see.
func (db *DB) checkOperator(ctx context.Context, q querier, w *flare.Worksite) error {
	if w.OrganisationID == "" {
		return nil
	}
	bad := flare.FieldError("organisation_id", "is not an organisation of this case")
	if !validID(w.OrganisationID) {
		return bad
	}
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations WHERE id = $1 AND case_id = $2`, w.OrganisationID, w.CaseID).Scan(&n)
	if err != nil {
		return fmt.Errorf("check organisation of worksite: %w", db.dialect.translate(err))
	}
	if n == 0 {
		return bad
	}
	return nil
}

// insertWorksite writes a validated worksite of an existing case, its
// search entry and its audit entry in tx, and sets its ID (unless set),
// Version and timestamps (unless set). Authorisation and the check that
// OrganisationID belongs to the case (checkOperator) are the caller's:
// CreateWorksite, or the seeder, which calls it many times in one
// transaction. Keep this signature stable.
func (db *DB) insertWorksite(ctx context.Context, tx *sql.Tx, w *flare.Worksite) error {
	id := w.ID
	if id == "" {
		var err error
		if id, err = newID(); err != nil {
			return err
		}
	}
	created := w.CreatedAt
	if created.IsZero() {
		created = db.partyTime()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO worksites (`+worksiteColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1, $15, $15)`,
		id, w.CaseID, nullString(w.OrganisationID), w.Name, w.Description, w.Street, w.City, w.State, w.PostalCode, w.Country,
		w.Latitude, w.Longitude, w.ISICSection, w.ISICDivision, created)
	if db.dialect.constraint(err) == foreignKeyViolation {
		return flare.FieldError("case_id", "no such case or organisation")
	}
	if err != nil {
		return fmt.Errorf("insert worksite: %w", db.dialect.translate(err))
	}
	if err := db.indexText(ctx, tx, worksiteRecord, id, w.CaseID, w.SearchText()...); err != nil {
		return err
	}
	if err := db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: worksiteRecord, recordID: id,
		caseID: w.CaseID, fields: worksiteFieldsSet(w)}); err != nil {
		return err
	}
	w.ID, w.Version, w.CreatedAt, w.UpdatedAt = id, 1, created, created
	return nil
}

// worksiteFieldsSet names the fields a new worksite carries, for the audit
// trail (names only, never values).
func worksiteFieldsSet(w *flare.Worksite) []string {
	f := []string{"case_id", "name"}
	for _, opt := range []struct {
		name string
		set  bool
	}{
		{"organisation_id", w.OrganisationID != ""}, {"description", w.Description != ""}, {"street", w.Street != ""},
		{"city", w.City != ""}, {"state", w.State != ""}, {"postal_code", w.PostalCode != ""}, {"country", w.Country != ""},
		{"latitude", w.Latitude != nil}, {"longitude", w.Longitude != nil},
		{"isic_section", w.ISICSection != ""}, {"isic_division", w.ISICDivision != ""},
	} {
		if opt.set {
			f = append(f, opt.name)
		}
	}
	return f
}

// worksiteReadFields names what a read of a worksite returns.
func worksiteReadFields() []string {
	return []string{"organisation_id", "name", "description", "street", "city", "state", "postal_code", "country",
		"latitude", "longitude", "isic_section", "isic_division"}
}

func (db *DB) loadWorksite(ctx context.Context, q querier, id string) (*flare.Worksite, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "worksite not found")
	}
	w, err := scanWorksite(q.QueryRowContext(ctx, `SELECT `+worksiteColumns+` FROM worksites WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "worksite not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load worksite %s: %w", id, err)
	}
	return w, nil
}

// loadWorksiteAndCase loads a worksite and asks the policy for action on
// it in its case; a refusal carries its audit event.
func (db *DB) loadWorksiteAndCase(ctx context.Context, tx *sql.Tx, id string, action policy.Action, ev audit.Action) (*flare.Worksite, error) {
	w, err := db.loadWorksite(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	c, err := db.loadCase(ctx, tx, w.CaseID)
	if err != nil {
		return nil, err
	}
	if err := db.authorizeParty(ctx, tx, action, c, worksiteRecord); err != nil {
		return nil, deniedParty(err, ev, worksiteRecord, w.ID, c.ID)
	}
	return w, nil
}

// Worksite implements flare.WorksiteService.
func (s *WorksiteService) Worksite(ctx context.Context, id string) (*flare.Worksite, error) {
	var out *flare.Worksite
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.db.loadWorksiteAndCase(ctx, tx, id, policy.Read, audit.ActionRead)
		if err != nil {
			return err
		}
		out = w
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: worksiteRecord, recordID: w.ID,
			caseID: w.CaseID, fields: worksiteReadFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// Worksites implements flare.WorksiteService. Each worksite listed is a
// read of it, audited as such.
func (s *WorksiteService) Worksites(ctx context.Context, caseID string) ([]*flare.Worksite, error) {
	var out []*flare.Worksite
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Read, c, worksiteRecord); err != nil {
			return deniedParty(err, audit.ActionRead, worksiteRecord, "", c.ID)
		}
		if out, err = queryWorksites(ctx, tx, c.ID); err != nil {
			return err
		}
		for _, w := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: worksiteRecord, recordID: w.ID,
				caseID: c.ID, fields: worksiteReadFields()}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

func queryWorksites(ctx context.Context, tx *sql.Tx, caseID string) ([]*flare.Worksite, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+worksiteColumns+` FROM worksites WHERE case_id = $1 ORDER BY name, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("list worksites: %w", err)
	}
	defer rows.Close()
	var out []*flare.Worksite
	for rows.Next() {
		w, err := scanWorksite(rows)
		if err != nil {
			return nil, fmt.Errorf("list worksites: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list worksites: %w", err)
	}
	return out, nil
}

// UpdateWorksite implements flare.WorksiteService, with the version check
// in the UPDATE itself (R-CC1).
func (s *WorksiteService) UpdateWorksite(ctx context.Context, id string, upd flare.WorksiteUpdate) (*flare.Worksite, error) {
	var out *flare.Worksite
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.db.loadWorksiteAndCase(ctx, tx, id, policy.Update, audit.ActionUpdate)
		if err != nil {
			return err
		}
		if w.Version != upd.Version {
			return staleParty("worksite", w.Version, upd.Version)
		}
		changed := upd.Apply(w)
		if upd.ISICSection != nil && upd.ISICDivision == nil && w.ISICDivision != "" && !flare.ValidISICDivision(w.ISICSection, w.ISICDivision) {
			// A new section without a division drops the old division
			// rather than refusing the change: it cannot belong to both.
			w.ISICDivision = ""
			changed = append(changed, "isic_division")
		}
		if err := w.Validate(); err != nil {
			return err
		}
		if upd.OrganisationID != nil {
			if err := s.db.checkOperator(ctx, tx, w); err != nil {
				return err
			}
		}
		now := s.db.partyTime()
		res, err := tx.ExecContext(ctx, `UPDATE worksites SET organisation_id = $1, name = $2, description = $3, street = $4,
			city = $5, state = $6, postal_code = $7, country = $8, latitude = $9, longitude = $10, isic_section = $11,
			isic_division = $12, version = version + 1, updated_at = $13
			WHERE id = $14 AND version = $15`,
			nullString(w.OrganisationID), w.Name, w.Description, w.Street, w.City, w.State, w.PostalCode, w.Country,
			w.Latitude, w.Longitude, w.ISICSection, w.ISICDivision, now, w.ID, upd.Version)
		if err := versionedWrite(res, err, "update worksite", func() error { return staleParty("worksite", w.Version+1, upd.Version) }); err != nil {
			return err
		}
		w.Version++
		w.UpdatedAt = now
		out = w
		if err := s.db.indexText(ctx, tx, worksiteRecord, w.ID, w.CaseID, w.SearchText()...); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: worksiteRecord, recordID: w.ID,
			caseID: w.CaseID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// DeleteWorksite implements flare.WorksiteService; the policy lets only a
// supervisor of the owning agency delete.
func (s *WorksiteService) DeleteWorksite(ctx context.Context, id string, version int64) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		w, err := s.db.loadWorksiteAndCase(ctx, tx, id, policy.Delete, audit.ActionDelete)
		if err != nil {
			return err
		}
		if w.Version != version {
			return staleParty("worksite", w.Version, version)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM worksites WHERE id = $1 AND version = $2`, w.ID, version)
		if err := versionedWrite(res, err, "delete worksite", func() error { return staleParty("worksite", w.Version+1, version) }); err != nil {
			return err
		}
		if err := s.db.unindexText(ctx, tx, w.ID); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionDelete, recordType: worksiteRecord, recordID: w.ID, caseID: w.CaseID})
	})
	return s.db.auditDenied(ctx, err)
}

func scanWorksite(r scanner) (*flare.Worksite, error) {
	var w flare.Worksite
	var org sql.NullString
	var lat, lon sql.NullFloat64
	if err := r.Scan(&w.ID, &w.CaseID, &org, &w.Name, &w.Description, &w.Street, &w.City, &w.State, &w.PostalCode, &w.Country,
		&lat, &lon, &w.ISICSection, &w.ISICDivision, &w.Version, &w.CreatedAt, &w.UpdatedAt); err != nil {
		return nil, err
	}
	w.OrganisationID = org.String
	if lat.Valid && lon.Valid {
		w.Latitude, w.Longitude = &lat.Float64, &lon.Float64
	}
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	return &w, nil
}
