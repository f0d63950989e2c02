package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// InspectionService implements flare.InspectionService: visits to the
// worksites of cases (issue #6). Authorised against the case like its
// worksites, audited in the same transaction; the findings are sealed under
// the inspection's own data key.
type InspectionService struct {
	db   *DB
	keys *KeyStore
}

// NewInspectionService returns the inspection service on db, sealing with
// keys.
func NewInspectionService(db *DB, keys *KeyStore) *InspectionService {
	return &InspectionService{db: db, keys: keys}
}

var _ flare.InspectionService = (*InspectionService)(nil)

const (
	inspectionRecord  = "inspection"
	inspectionColumns = `id, case_id, worksite_id, agency_id, kind, visited_on, inspector_ids, inspector_names, findings,
	workers_interviewed, orders, recorded_by, version, created_at, updated_at`
	// maxInspectionsListed caps one case's list: each is an audited read.
	maxInspectionsListed = 200
)

func inspectionFindingsLocation(id string) vault.Location {
	return vault.Location{Table: "inspections", Column: "findings", RowID: id}
}

// inspectionFields names what an inspection holds, for the audit trail
// (names only, never values).
func inspectionFields() []string {
	return []string{"worksite_id", "kind", "visited_on", "inspectors", "findings", "workers_interviewed", "orders", "assessment_ids"}
}

// CreateInspection implements flare.InspectionService.
func (s *InspectionService) CreateInspection(ctx context.Context, in *flare.Inspection) error {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, in.CaseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Create, c, inspectionRecord); err != nil {
			return deniedParty(err, audit.ActionCreate, inspectionRecord, "", c.ID)
		}
		in.AgencyID, in.RecordedBy = actor.AgencyID, actor.UserID
		if actor.Console {
			in.AgencyID, in.RecordedBy = c.AgencyID, "console"
		}
		if err := s.checkInspection(ctx, tx, in); err != nil {
			return err
		}
		in.ID = id
		return s.insert(ctx, tx, in)
	})
	return s.db.auditDenied(ctx, err)
}

// checkInspection refuses a worksite, an inspector or a screening that is
// not of the inspection's case (or agency, for the inspectors): an
// inspection never points into a record its readers may not see.
func (s *InspectionService) checkInspection(ctx context.Context, tx *sql.Tx, in *flare.Inspection) error {
	if !validID(in.WorksiteID) {
		return flare.FieldError("worksite_id", "is not a worksite of this case")
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM worksites WHERE id = $1 AND case_id = $2`, in.WorksiteID, in.CaseID).Scan(&n); err != nil {
		return fmt.Errorf("check worksite of inspection: %w", s.db.dialect.translate(err))
	}
	if n == 0 {
		return flare.FieldError("worksite_id", "is not a worksite of this case")
	}
	if err := countIn(ctx, s.db, tx, in.InspectorIDs, `SELECT COUNT(*) FROM users WHERE agency_id = $1 AND id IN (%s)`, in.AgencyID,
		flare.FieldError("inspector_ids", "are not all staff of your agency")); err != nil {
		return err
	}
	return countIn(ctx, s.db, tx, in.AssessmentIDs, `SELECT COUNT(*) FROM assessments WHERE case_id = $1 AND id IN (%s)`, in.CaseID,
		flare.FieldError("assessment_ids", "are not all screenings of people of this case"))
}

// countIn checks that every id in ids is found by query (a COUNT with $1
// bound to scope and an IN list to fill in); bad when not.
func countIn(ctx context.Context, db *DB, tx *sql.Tx, ids []string, query, scope string, bad error) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{scope}
	ph := make([]string, len(ids))
	for i, id := range ids {
		if !validID(id) {
			return bad
		}
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", i+2)
	}
	var n int
	if err := tx.QueryRowContext(ctx, fmt.Sprintf(query, strings.Join(ph, ", ")), args...).Scan(&n); err != nil {
		return fmt.Errorf("check references: %w", db.dialect.translate(err))
	}
	if n != len(ids) {
		return bad
	}
	return nil
}

// insert seals and stores a checked inspection, its screenings and its
// audit entry in tx.
func (s *InspectionService) insert(ctx context.Context, tx *sql.Tx, in *flare.Inspection) error {
	key, err := s.keys.CreateDataKey(ctx, tx, inspectionRecord, in.ID)
	if err != nil {
		return err
	}
	findings, err := key.SealString(inspectionFindingsLocation(in.ID), in.Findings)
	if err != nil {
		return fmt.Errorf("seal inspection findings: %w", err)
	}
	names, _ := json.Marshal(in.InspectorNames)
	orders, _ := json.Marshal(in.Orders)
	now := s.db.partyTime()
	_, err = tx.ExecContext(ctx, `INSERT INTO inspections (`+inspectionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)`,
		in.ID, in.CaseID, in.WorksiteID, in.AgencyID, string(in.Kind), in.VisitedOn, strings.Join(in.InspectorIDs, ","),
		string(names), findings, in.WorkersInterviewed, string(orders), in.RecordedBy, now)
	if err != nil {
		return fmt.Errorf("insert inspection: %w", s.db.dialect.translate(err))
	}
	for _, a := range in.AssessmentIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_screenings (inspection_id, assessment_id) VALUES ($1, $2)`, in.ID, a); err != nil {
			return fmt.Errorf("link screening to inspection: %w", s.db.dialect.translate(err))
		}
	}
	in.Version, in.CreatedAt, in.UpdatedAt = 1, now, now
	return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: inspectionRecord, recordID: in.ID,
		caseID: in.CaseID, fields: inspectionFields()})
}

// Inspection implements flare.InspectionService.
func (s *InspectionService) Inspection(ctx context.Context, id string) (*flare.Inspection, error) {
	var out *flare.Inspection
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		notFound := flare.Errorf(flare.ENOTFOUND, "inspection not found")
		if !validID(id) {
			return notFound
		}
		var caseID string
		err := tx.QueryRowContext(ctx, `SELECT case_id FROM inspections WHERE id = $1`, id).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound
		}
		if err != nil {
			return fmt.Errorf("load inspection %s: %w", id, s.db.dialect.translate(err))
		}
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Read, c, inspectionRecord); err != nil {
			return deniedParty(err, audit.ActionRead, inspectionRecord, id, c.ID)
		}
		list, err := s.load(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		out = list[0]
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: inspectionRecord, recordID: id,
			caseID: c.ID, fields: inspectionFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// Inspections implements flare.InspectionService; each inspection listed
// is an audited read.
func (s *InspectionService) Inspections(ctx context.Context, caseID string) ([]*flare.Inspection, error) {
	var out []*flare.Inspection
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Read, c, inspectionRecord); err != nil {
			return deniedParty(err, audit.ActionRead, inspectionRecord, "", c.ID)
		}
		if out, err = s.load(ctx, tx, fmt.Sprintf(`WHERE case_id = $1 ORDER BY visited_on DESC, created_at DESC, id DESC LIMIT %d`,
			maxInspectionsListed), c.ID); err != nil {
			return err
		}
		for _, in := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: inspectionRecord, recordID: in.ID,
				caseID: c.ID, fields: inspectionFields()}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// load reads the inspections a WHERE clause selects, with their screenings,
// findings unsealed.
func (s *InspectionService) load(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.Inspection, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+inspectionColumns+` FROM inspections `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list inspections: %w", s.db.dialect.translate(err))
	}
	var out []*flare.Inspection
	sealed := map[string][]byte{}
	for rows.Next() {
		var in flare.Inspection
		var kind, ids, names, orders string
		var findings []byte
		if err := rows.Scan(&in.ID, &in.CaseID, &in.WorksiteID, &in.AgencyID, &kind, &in.VisitedOn, &ids, &names, &findings,
			&in.WorkersInterviewed, &orders, &in.RecordedBy, &in.Version, &in.CreatedAt, &in.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan inspection: %w", err)
		}
		in.Kind = flare.InspectionKind(kind)
		in.VisitedOn = flare.DateOf(in.VisitedOn)
		in.CreatedAt, in.UpdatedAt = in.CreatedAt.UTC(), in.UpdatedAt.UTC()
		in.InspectorIDs = append([]string{}, splitList(ids)...)
		if err := json.Unmarshal([]byte(names), &in.InspectorNames); err != nil {
			rows.Close()
			return nil, fmt.Errorf("inspector names of inspection %s: %w", in.ID, err)
		}
		if err := json.Unmarshal([]byte(orders), &in.Orders); err != nil {
			rows.Close()
			return nil, fmt.Errorf("orders of inspection %s: %w", in.ID, err)
		}
		sealed[in.ID] = findings
		out = append(out, &in)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list inspections: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list inspections: %w", err)
	}
	for _, in := range out {
		key, err := s.keys.DataKey(ctx, tx, inspectionRecord, in.ID)
		if err != nil {
			return nil, fmt.Errorf("open inspection %s: %w", in.ID, err)
		}
		if in.Findings, err = key.OpenString(inspectionFindingsLocation(in.ID), sealed[in.ID]); err != nil {
			return nil, fmt.Errorf("open inspection %s findings: %w", in.ID, err)
		}
		if in.AssessmentIDs, err = linkedIDs(ctx, tx, `SELECT assessment_id FROM inspection_screenings WHERE inspection_id = $1 ORDER BY assessment_id`, in.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// linkedIDs reads one column of ids; never nil.
func linkedIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read links: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read links: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
