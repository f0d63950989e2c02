package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// TimelineService implements flare.TimelineService: a case's timeline is
// read from the audit log, which already records every change of the case
// and of every record in it in the change's own transaction, so the
// timeline cannot miss an event or show one that did not commit.
type TimelineService struct{ db *DB }

// NewTimelineService returns the timeline service on db.
func NewTimelineService(db *DB) *TimelineService { return &TimelineService{db: db} }

var _ flare.TimelineService = (*TimelineService)(nil)

const maxTimeline = 500

// Timeline implements flare.TimelineService. Whoever may read the case may
// read its timeline; reading it is itself audited (as a read, which the
// timeline does not show: reads are in the supervisor's access list).
func (s *TimelineService) Timeline(ctx context.Context, caseID string, f flare.TimelineFilter) ([]*flare.TimelineEvent, error) {
	if f.Limit <= 0 || f.Limit > maxTimeline {
		f.Limit = maxTimeline
	}
	if f.Before < 0 {
		return nil, flare.FieldError("before", "must not be negative")
	}
	var out []*flare.TimelineEvent
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.authorizeInCase(ctx, tx, caseID, policy.Read, "timeline", "")
		if err != nil {
			return err
		}
		if out, err = s.events(ctx, tx, c.ID, f); err != nil {
			return err
		}
		if err := s.label(ctx, tx, c.ID, out); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "timeline", caseID: c.ID})
	})
	return out, s.db.auditDenied(ctx, err)
}

// events reads the case's changes from the audit log, newest first.
func (s *TimelineService) events(ctx context.Context, tx *sql.Tx, caseID string, f flare.TimelineFilter) ([]*flare.TimelineEvent, error) {
	args := []any{caseID, string(audit.OutcomeOK)}
	var marks []string
	for _, a := range flare.TimelineActions() {
		args = append(args, a)
		marks = append(marks, fmt.Sprintf("$%d", len(args)))
	}
	query := `SELECT seq, at, user_id, agency_id, console, action, record_type, record_id, fields FROM audit_entries
		WHERE case_id = $1 AND outcome = $2 AND action IN (` + strings.Join(marks, ", ") + `)`
	if f.Before > 0 {
		args = append(args, f.Before)
		query += fmt.Sprintf(" AND seq < $%d", len(args))
	}
	query += fmt.Sprintf(" ORDER BY seq DESC LIMIT %d", f.Limit)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read timeline: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var out []*flare.TimelineEvent
	for rows.Next() {
		var e flare.TimelineEvent
		var fields string
		if err := rows.Scan(&e.Seq, &e.At, &e.UserID, &e.AgencyID, &e.Console, &e.Action, &e.RecordType, &e.RecordID, &fields); err != nil {
			return nil, fmt.Errorf("read timeline: %w", err)
		}
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		e.At = e.At.UTC()
		e.Kind = flare.TimelineKind(e.RecordType, e.Action, e.Fields)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read timeline: %w", err)
	}
	return out, nil
}

// label names the events' tasks by their titles: a task's title is not
// sealed, and "Task done: call the consulate" says more than "Task done".
// Notes and documents keep no label, since their text and names are.
func (s *TimelineService) label(ctx context.Context, tx *sql.Tx, caseID string, events []*flare.TimelineEvent) error {
	want := false
	for _, e := range events {
		want = want || e.RecordType == "task"
	}
	if !want {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, title FROM tasks WHERE case_id = $1`, caseID)
	if err != nil {
		return fmt.Errorf("timeline task titles: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	titles := map[string]string{}
	for rows.Next() {
		var id, title string
		if err := rows.Scan(&id, &title); err != nil {
			return fmt.Errorf("timeline task titles: %w", err)
		}
		titles[id] = title
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("timeline task titles: %w", err)
	}
	for _, e := range events {
		if e.RecordType == "task" {
			e.Label = titles[e.RecordID]
		}
	}
	return nil
}
