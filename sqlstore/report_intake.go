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

// The intake queue's rules (issue #4, staff side). They are few and apply
// to reports only, so they live here rather than in package policy until
// reports share a rule with cases:
//
//   - only the intake role (and supervisors) work reports;
//   - a report in the national queue (no agency) is visible to every
//     intake user; a report forwarded to an agency only to that agency's;
//   - the console operator may do anything.
func intakeActor(ctx context.Context) (flare.Actor, error) {
	actor, ok := flare.ActorFrom(ctx)
	if !ok || (!actor.Console && actor.UserID == "") {
		return actor, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	if actor.Console || slices.Contains(actor.Roles, string(flare.RoleIntake)) || slices.Contains(actor.Roles, string(flare.RoleSupervisor)) {
		return actor, nil
	}
	return actor, flare.Errorf(flare.EFORBIDDEN, "the intake queue needs the intake role")
}

func reportVisible(actor flare.Actor, agencyID string) bool {
	return actor.Console || agencyID == "" || agencyID == actor.AgencyID
}

const reportColumns = `id, status, channel, partner_id, lang, country, region, sector, people, danger, signs,
	agency_id, assigned_to, duplicate_of, case_id, text_sealed, details_sealed, created_at, updated_at`

// scanReport reads one row of reportColumns and opens its sealed fields.
func (s *ReportService) scanReport(ctx context.Context, q querier, r scanner) (*flare.Report, error) {
	var rep flare.Report
	var status, channel, signs string
	var partner, agency, assigned, dup, caseID sql.NullString
	var text, details []byte
	err := r.Scan(&rep.ID, &status, &channel, &partner, &rep.Lang, &rep.Country, &rep.Region, &rep.Sector, &rep.People,
		&rep.Danger, &signs, &agency, &assigned, &dup, &caseID, &text, &details, &rep.CreatedAt, &rep.UpdatedAt)
	if err != nil {
		return nil, err
	}
	rep.Status, rep.Channel = flare.ReportStatus(status), flare.ReportChannel(channel)
	rep.PartnerID, rep.AgencyID, rep.AssignedTo, rep.DuplicateOf, rep.CaseID = partner.String, agency.String, assigned.String, dup.String, caseID.String
	if signs != "" {
		rep.Signs = strings.Split(signs, ";")
	}
	rep.CreatedAt, rep.UpdatedAt = rep.CreatedAt.UTC(), rep.UpdatedAt.UTC()
	key, err := s.keys.DataKey(ctx, q, "report", rep.ID)
	if err != nil {
		return nil, err
	}
	if rep.Text, err = key.OpenString(reportLoc(rep.ID, "text_sealed"), text); err != nil {
		return nil, fmt.Errorf("open report: %w", err)
	}
	d, err := key.Open(reportLoc(rep.ID, "details_sealed"), details)
	if err != nil {
		return nil, fmt.Errorf("open report: %w", err)
	}
	var det reportDetails
	if err := json.Unmarshal(d, &det); err != nil {
		return nil, fmt.Errorf("decode report details: %w", err)
	}
	rep.Town, rep.Workplace, rep.Contact, rep.Relationship = det.Town, det.Workplace, det.Contact, det.Relationship
	return &rep, nil
}

// reportReadFields are the fields a staff read of a report shows.
func reportReadFields() []string {
	return []string{"contact", "country", "danger", "people", "region", "relationship", "sector", "signs", "status", "text", "town", "workplace"}
}

// Reports implements flare.ReportService.
func (s *ReportService) Reports(ctx context.Context, f flare.ReportFilter) ([]*flare.Report, error) {
	actor, err := intakeActor(ctx)
	if err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "report"})
	}
	limit := f.Limit
	if limit <= 0 || limit > maxCaseList {
		limit = defaultCaseList
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if !actor.Console {
		where = append(where, "(agency_id IS NULL OR agency_id = "+arg(actor.AgencyID)+")")
	}
	if f.Region != "" {
		where = append(where, "region = "+arg(flare.CleanLine(f.Region)))
	}
	if f.Sector != "" {
		where = append(where, "sector = "+arg(f.Sector))
	}
	if f.CaseID != "" {
		if !validID(f.CaseID) {
			return nil, nil
		}
		where = append(where, "case_id = "+arg(f.CaseID))
	}
	if f.Open {
		where = append(where, "status <> 'closed' AND duplicate_of IS NULL AND case_id IS NULL")
	}
	q := `SELECT id FROM reports`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY urgency DESC, created_at, id LIMIT " + arg(limit)
	var out []*flare.Report
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("list reports: %w", s.db.dialect.translate(err))
		}
		// Collect the ids before opening keys: one statement at a time
		// on a transaction's connection.
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("scan report: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list reports: %w", err)
		}
		for _, id := range ids {
			r, err := s.scanReport(ctx, tx, tx.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id))
			if err != nil {
				return err
			}
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "report", recordID: id,
				caseID: r.CaseID, fields: reportReadFields()}); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// loadReport loads a report the actor may see; another agency's report is
// "not found".
func (s *ReportService) loadReport(ctx context.Context, tx *sql.Tx, actor flare.Actor, id string) (*flare.Report, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "report not found")
	}
	r, err := s.scanReport(ctx, tx, tx.QueryRowContext(ctx, `SELECT `+reportColumns+` FROM reports WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !reportVisible(actor, r.AgencyID)) {
		return nil, flare.Errorf(flare.ENOTFOUND, "report not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load report: %w", err)
	}
	return r, nil
}

// Report implements flare.ReportService.
func (s *ReportService) Report(ctx context.Context, id string) (*flare.Report, []*flare.ReportMessage, error) {
	actor, err := intakeActor(ctx)
	if err != nil {
		return nil, nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "report", recordID: auditID(id)})
	}
	var r *flare.Report
	var msgs []*flare.ReportMessage
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if r, err = s.loadReport(ctx, tx, actor, id); err != nil {
			return err
		}
		if msgs, err = s.messages(ctx, tx, id); err != nil {
			return err
		}
		if r.Attachments, err = s.attachments(ctx, tx, id); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "report", recordID: id, caseID: r.CaseID,
			fields: append(reportReadFields(), "attachments", "messages")})
	})
	if err != nil {
		return nil, nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "report", recordID: auditID(id)})
	}
	return r, msgs, nil
}

// auditID keeps a malformed id out of the audit entry, which accepts
// identifiers only.
func auditID(id string) string {
	if validID(id) {
		return id
	}
	return ""
}

// TriageReport implements flare.ReportService.
func (s *ReportService) TriageReport(ctx context.Context, id string, t flare.ReportTriage) (*flare.Report, error) {
	actor, err := intakeActor(ctx)
	if err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: auditID(id)})
	}
	var out *flare.Report
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.loadReport(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		var fields []string
		if t.Status != "" {
			if !t.Status.Valid() {
				return flare.FieldError("status", "is not a known status")
			}
			r.Status, fields = t.Status, append(fields, "status")
		}
		if t.AssignedTo != nil {
			if *t.AssignedTo != "" {
				agency := r.AgencyID
				if agency == "" {
					agency = actor.AgencyID
				}
				if err := s.db.checkAssignee(ctx, tx, &flare.Case{AgencyID: agency, AssignedTo: *t.AssignedTo}); err != nil {
					return err
				}
			}
			r.AssignedTo, fields = *t.AssignedTo, append(fields, "assigned_to")
		}
		if t.ForwardTo != "" {
			var n int
			if !validID(t.ForwardTo) {
				return flare.FieldError("forward_to", "no such agency")
			}
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agencies WHERE id = $1`, t.ForwardTo).Scan(&n); err != nil {
				return fmt.Errorf("check agency: %w", s.db.dialect.translate(err))
			}
			if n == 0 {
				return flare.FieldError("forward_to", "no such agency")
			}
			// The new agency's intake assigns its own officer.
			r.AgencyID, r.AssignedTo, fields = t.ForwardTo, "", append(fields, "agency_id", "assigned_to")
		}
		if t.DuplicateOf != "" {
			if t.DuplicateOf == id {
				return flare.FieldError("duplicate_of", "is this report")
			}
			if _, err := s.loadReport(ctx, tx, actor, t.DuplicateOf); err != nil {
				return flare.FieldError("duplicate_of", "no such report")
			}
			r.DuplicateOf, r.Status, fields = t.DuplicateOf, flare.ReportClosed, append(fields, "duplicate_of", "status")
		}
		if len(fields) == 0 {
			return flare.Errorf(flare.EINVALID, "nothing to change")
		}
		r.UpdatedAt = s.db.now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $2, assigned_to = $3, agency_id = $4, duplicate_of = $5, updated_at = $6
			WHERE id = $1`, id, string(r.Status), nullString(r.AssignedTo), nullString(r.AgencyID), nullString(r.DuplicateOf), r.UpdatedAt); err != nil {
			return fmt.Errorf("update report: %w", s.db.dialect.translate(err))
		}
		out = r
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: id, caseID: r.CaseID, fields: fields})
	})
	if err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: auditID(id)})
	}
	return out, nil
}

// OpenCaseFromReport implements flare.ReportService. The case is created
// through the case service (its own audited transaction), then the report
// is linked to it; if the link fails, the new case stays and the report
// can be attached to it by hand.
func (s *ReportService) OpenCaseFromReport(ctx context.Context, id string, c *flare.Case) error {
	actor, err := intakeActor(ctx)
	if err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: auditID(id)})
	}
	var r *flare.Report
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		r, err = s.loadReport(ctx, tx, actor, id)
		return err
	})
	if err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: auditID(id)})
	}
	if r.CaseID != "" {
		return flare.Errorf(flare.ECONFLICT, "the report is already part of a case")
	}
	if c.AgencyID == "" {
		c.AgencyID = actor.AgencyID
	}
	if c.Region == "" {
		c.Region = r.Region
	}
	if c.Status == "" {
		c.Status = flare.CaseOpen
	}
	if c.OpenedOn.IsZero() {
		now := s.db.now().UTC()
		c.OpenedOn = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	if err := NewCaseService(s.db).CreateCase(ctx, c); err != nil {
		return err
	}
	return s.linkCase(ctx, id, c.ID, flare.ReportActionTaken)
}

// AttachReportToCase implements flare.ReportService: the actor must be
// allowed to update the case.
func (s *ReportService) AttachReportToCase(ctx context.Context, id, caseID string) error {
	actor, err := intakeActor(ctx)
	if err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: auditID(id)})
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.loadReport(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if r.CaseID != "" {
			return flare.Errorf(flare.ECONFLICT, "the report is already part of a case")
		}
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return flare.FieldError("case_id", "no such case")
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Update, c); err != nil {
			return deniedCase(err, audit.ActionUpdate, c.ID)
		}
		return nil
	})
	if err != nil {
		return s.db.auditDenied(ctx, err)
	}
	return s.linkCase(ctx, id, caseID, "")
}

// linkCase records that the report belongs to caseID.
func (s *ReportService) linkCase(ctx context.Context, id, caseID string, status flare.ReportStatus) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		fields := []string{"case_id"}
		q := `UPDATE reports SET case_id = $2, updated_at = $3 WHERE id = $1 AND case_id IS NULL`
		args := []any{id, caseID, s.db.now().UTC()}
		if status != "" {
			q = `UPDATE reports SET case_id = $2, updated_at = $3, status = $4 WHERE id = $1 AND case_id IS NULL`
			args, fields = append(args, string(status)), append(fields, "status")
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("link report to case: %w", s.db.dialect.translate(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return flare.Errorf(flare.ECONFLICT, "the report is already part of a case")
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: id, caseID: caseID, fields: fields})
	})
}

// ReplyToReporter implements flare.ReportService. A first reply moves a
// received report to "under review", which the reporter sees.
func (s *ReportService) ReplyToReporter(ctx context.Context, id, body string) error {
	actor, err := intakeActor(ctx)
	if err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionCreate, recordType: "report_message", recordID: auditID(id)})
	}
	body, err = flare.CleanMessage(body)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.loadReport(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		if err := s.insertMessage(ctx, tx, id, true, actor.UserID, body); err != nil {
			return err
		}
		if r.Status == flare.ReportReceived {
			if _, err := tx.ExecContext(ctx, `UPDATE reports SET status = $2, updated_at = $3 WHERE id = $1`,
				id, string(flare.ReportUnderReview), s.db.now().UTC()); err != nil {
				return fmt.Errorf("update report status: %w", s.db.dialect.translate(err))
			}
			return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "report", recordID: id, caseID: r.CaseID, fields: []string{"status"}})
		}
		return nil
	})
	if err != nil {
		return s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionCreate, recordType: "report_message", recordID: auditID(id)})
	}
	return nil
}

// Attachment limits (security checklist R-IH2). The HTTP layer sniffs and
// re-encodes; the store refuses anything outside the allow-list again.
const (
	MaxAttachmentBytes = 5 << 20
	MaxAttachments     = 5
)

// AttachmentTypes are the content types a report may carry.
func AttachmentTypes() []string { return []string{"image/jpeg", "image/png", "application/pdf"} }

func checkAttachments(as []*flare.Attachment) error {
	if len(as) > MaxAttachments {
		return flare.FieldError("attachments", "at most %d files", MaxAttachments)
	}
	for _, a := range as {
		if !slices.Contains(AttachmentTypes(), a.ContentType) {
			return flare.FieldError("attachments", "only JPEG and PNG images and PDF files are accepted")
		}
		if len(a.Data) == 0 || len(a.Data) > MaxAttachmentBytes {
			return flare.FieldError("attachments", "a file must be between 1 byte and %d MB", MaxAttachmentBytes>>20)
		}
	}
	return nil
}

func (s *ReportService) insertAttachment(ctx context.Context, tx *sql.Tx, key *vault.DataKey, reportID string, a *flare.Attachment, now time.Time) error {
	aid, err := newID()
	if err != nil {
		return err
	}
	sealed, err := key.Seal(vault.Location{Table: "report_attachments", Column: "data_sealed", RowID: aid}, a.Data)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_attachments (id, report_id, content_type, size, data_sealed, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, aid, reportID, a.ContentType, int64(len(a.Data)), sealed, now); err != nil {
		return fmt.Errorf("insert attachment: %w", s.db.dialect.translate(err))
	}
	a.ID, a.ReportID, a.Size, a.CreatedAt = aid, reportID, int64(len(a.Data)), now
	return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "report_attachment", recordID: aid,
		fields: []string{"content_type", "data", "report_id"}})
}

// attachments lists a report's attachments without their content.
func (s *ReportService) attachments(ctx context.Context, tx *sql.Tx, reportID string) ([]*flare.Attachment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, content_type, size, created_at FROM report_attachments
		WHERE report_id = $1 ORDER BY created_at, id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var out []*flare.Attachment
	for rows.Next() {
		a := &flare.Attachment{ReportID: reportID}
		if err := rows.Scan(&a.ID, &a.ContentType, &a.Size, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		a.CreatedAt = a.CreatedAt.UTC()
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attachment implements flare.ReportService.
func (s *ReportService) Attachment(ctx context.Context, reportID, attachmentID string) (*flare.Attachment, error) {
	actor, err := intakeActor(ctx)
	if err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "report_attachment", recordID: auditID(attachmentID)})
	}
	var out *flare.Attachment
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.loadReport(ctx, tx, actor, reportID)
		if err != nil {
			return err
		}
		if !validID(attachmentID) {
			return flare.Errorf(flare.ENOTFOUND, "attachment not found")
		}
		a := &flare.Attachment{ReportID: reportID}
		var sealed []byte
		err = tx.QueryRowContext(ctx, `SELECT id, content_type, size, data_sealed, created_at FROM report_attachments
			WHERE id = $1 AND report_id = $2`, attachmentID, reportID).Scan(&a.ID, &a.ContentType, &a.Size, &sealed, &a.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return flare.Errorf(flare.ENOTFOUND, "attachment not found")
		}
		if err != nil {
			return fmt.Errorf("load attachment: %w", s.db.dialect.translate(err))
		}
		key, err := s.keys.DataKey(ctx, tx, "report", reportID)
		if err != nil {
			return err
		}
		if a.Data, err = key.Open(vault.Location{Table: "report_attachments", Column: "data_sealed", RowID: a.ID}, sealed); err != nil {
			return fmt.Errorf("open attachment: %w", err)
		}
		out = a
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "report_attachment", recordID: a.ID,
			caseID: r.CaseID, fields: []string{"data"}})
	})
	if err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "report_attachment", recordID: auditID(attachmentID)})
	}
	return out, nil
}

// ForwardTargets lists the agencies a report can be forwarded to.
func (s *ReportService) ForwardTargets(ctx context.Context) ([]*flare.Agency, error) {
	if _, err := intakeActor(ctx); err != nil {
		return nil, err
	}
	return NewAgencyService(s.db).Agencies(ctx)
}
