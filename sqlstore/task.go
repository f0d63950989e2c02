package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// TaskService implements flare.TaskService.
type TaskService struct{ db *DB }

// NewTaskService returns the task service on db.
func NewTaskService(db *DB) *TaskService { return &TaskService{db: db} }

var _ flare.TaskService = (*TaskService)(nil)

const taskColumns = `id, case_id, title, details, due_on, assignee_id, done_at, done_by, reopened_at, created_by,
	version, created_at, updated_at`

// CreateTask implements flare.TaskService.
func (s *TaskService) CreateTask(ctx context.Context, t *flare.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if !validID(t.CaseID) {
		return flare.Errorf(flare.ENOTFOUND, "case not found")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.authorizeInCase(ctx, tx, t.CaseID, policy.Create, "task", "")
		if err != nil {
			return err
		}
		if err := s.db.checkAssignee(ctx, tx, &flare.Case{AgencyID: c.AgencyID, AssignedTo: t.AssigneeID}); err != nil {
			return renameField(err, "assigned_to", "assignee_id")
		}
		t.DoneAt, t.DoneBy, t.ReopenedAt = nil, "", nil
		return s.db.insertTask(ctx, tx, t)
	})
	return s.db.auditDenied(ctx, err)
}

// renameField moves an invalid-input error from one field name to another.
func renameField(err error, from, to string) error {
	var fe *flare.Error
	if !errors.As(err, &fe) || fe.Fields == nil {
		return err
	}
	if msg, ok := fe.Fields[from]; ok {
		return flare.FieldError(to, "%s", msg)
	}
	return err
}

// insertTask writes an already validated and authorised task in tx, with
// its audit entry, and sets its ID, Version, CreatedBy and timestamps
// (CreatedAt kept when set, for the seeder). A task given as done (DoneAt
// set) must name DoneBy. The seeder calls it many times in one
// transaction; keep its signature.
func (db *DB) insertTask(ctx context.Context, tx *sql.Tx, t *flare.Task) error {
	id, err := newID()
	if err != nil {
		return err
	}
	actor, _ := flare.ActorFrom(ctx)
	if t.CreatedAt.IsZero() {
		t.CreatedAt = db.now().UTC()
	}
	var doneBy any
	if t.DoneAt != nil {
		doneBy = t.DoneBy
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tasks (`+taskColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, t.CaseID, t.Title, t.Details, t.DueOn, nullString(t.AssigneeID), t.DoneAt, doneBy, t.ReopenedAt,
		actor.UserID, 1, t.CreatedAt, t.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert task: %w", db.dialect.translate(err))
	}
	if err := db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "task", recordID: id, caseID: t.CaseID,
		fields: taskFieldsSet(t)}); err != nil {
		return err
	}
	t.ID, t.Version, t.CreatedBy, t.UpdatedAt = id, 1, actor.UserID, t.CreatedAt
	t.Overdue = t.IsOverdue(db.now())
	return nil
}

// taskFieldsSet names the fields a new task carries, for the audit trail.
func taskFieldsSet(t *flare.Task) []string {
	f := []string{"title"}
	if t.Details != "" {
		f = append(f, "details")
	}
	if t.DueOn != nil {
		f = append(f, "due_on")
	}
	if t.AssigneeID != "" {
		f = append(f, "assignee_id")
	}
	if t.DoneAt != nil {
		f = append(f, "done_at", "done_by")
	}
	return f
}

func (s *TaskService) loadTask(ctx context.Context, tx *sql.Tx, id string) (*flare.Task, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "task not found")
	}
	t, err := scanTask(tx.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "task not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load task %s: %w", id, s.db.dialect.translate(err))
	}
	t.Overdue = t.IsOverdue(s.db.now())
	return t, nil
}

// Task implements flare.TaskService.
func (s *TaskService) Task(ctx context.Context, id string) (*flare.Task, error) {
	var out *flare.Task
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		t, err := s.loadTask(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := s.db.authorizeInCase(ctx, tx, t.CaseID, policy.Read, "task", t.ID); err != nil {
			return err
		}
		out = t
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "task", recordID: t.ID, caseID: t.CaseID,
			fields: taskReadFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

func taskReadFields() []string {
	return []string{"title", "details", "due_on", "assignee_id", "done_at", "done_by"}
}

// Tasks implements flare.TaskService.
func (s *TaskService) Tasks(ctx context.Context, caseID string) ([]*flare.Task, error) {
	var out []*flare.Task
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.authorizeInCase(ctx, tx, caseID, policy.Read, "task", ""); err != nil {
			return err
		}
		var err error
		out, err = s.queryTasks(ctx, tx, fmt.Sprintf(`SELECT `+taskColumns+` FROM tasks WHERE case_id = $1
			ORDER BY created_at DESC LIMIT %d`, maxWorkList), caseID)
		return err
	})
	sortTasks(out)
	return out, s.db.auditDenied(ctx, err)
}

// queryTasks runs a query of tasks and audits the read of each.
func (s *TaskService) queryTasks(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]*flare.Task, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var out []*flare.Task
	now := s.db.now()
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		t.Overdue = t.IsOverdue(now)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	for _, t := range out {
		if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "task", recordID: t.ID, caseID: t.CaseID,
			fields: taskReadFields()}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sortTasks puts open tasks first, soonest due first (no due date last),
// then done tasks, most recently done first. Sorting in Go keeps the order
// the same on both databases, which place NULLs differently.
func sortTasks(ts []*flare.Task) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := ts[i], ts[j]
		if a.Done() != b.Done() {
			return !a.Done()
		}
		if a.Done() {
			return a.DoneAt.After(*b.DoneAt)
		}
		switch {
		case a.DueOn == nil && b.DueOn == nil:
			return a.CreatedAt.Before(b.CreatedAt)
		case a.DueOn == nil || b.DueOn == nil:
			return b.DueOn == nil
		case !a.DueOn.Equal(*b.DueOn):
			return a.DueOn.Before(*b.DueOn)
		}
		return a.CreatedAt.Before(b.CreatedAt)
	})
}

// UpdateTask implements flare.TaskService. The version check is in the
// UPDATE itself, so two concurrent saves of one version cannot both win.
func (s *TaskService) UpdateTask(ctx context.Context, id string, upd flare.TaskUpdate) (*flare.Task, error) {
	var out *flare.Task
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		t, err := s.loadTask(ctx, tx, id)
		if err != nil {
			return err
		}
		c, err := s.db.authorizeInCase(ctx, tx, t.CaseID, policy.Update, "task", t.ID)
		if err != nil {
			return err
		}
		if t.Version != upd.Version {
			return staleTask(t.Version, upd.Version)
		}
		actor, _ := flare.ActorFrom(ctx)
		now := s.db.now().UTC()
		changed := applyTaskUpdate(t, upd, actor.UserID, now)
		if err := t.Validate(); err != nil {
			return err
		}
		if upd.AssigneeID != nil {
			if err := s.db.checkAssignee(ctx, tx, &flare.Case{AgencyID: c.AgencyID, AssignedTo: t.AssigneeID}); err != nil {
				return renameField(err, "assigned_to", "assignee_id")
			}
		}
		var doneBy any
		if t.DoneAt != nil {
			doneBy = t.DoneBy
		}
		res, err := tx.ExecContext(ctx, `UPDATE tasks SET title = $1, details = $2, due_on = $3, assignee_id = $4,
			done_at = $5, done_by = $6, reopened_at = $7, version = version + 1, updated_at = $8
			WHERE id = $9 AND version = $10`,
			t.Title, t.Details, t.DueOn, nullString(t.AssigneeID), t.DoneAt, doneBy, t.ReopenedAt, now, id, upd.Version)
		if err != nil {
			return fmt.Errorf("update task %s: %w", id, s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update task %s: %w", id, err)
		} else if n != 1 {
			return staleTask(t.Version+1, upd.Version)
		}
		t.Version++
		t.UpdatedAt = now
		t.Overdue = t.IsOverdue(now)
		out = t
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "task", recordID: t.ID, caseID: t.CaseID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// applyTaskUpdate applies upd to t and names the fields it sets. Marking
// done stamps who and when; reopening clears them and stamps reopened_at,
// which is how the timeline tells "reopened" from "done".
func applyTaskUpdate(t *flare.Task, upd flare.TaskUpdate, userID string, now time.Time) []string {
	var changed []string
	if upd.Title != nil {
		t.Title = *upd.Title
		changed = append(changed, "title")
	}
	if upd.Details != nil {
		t.Details = *upd.Details
		changed = append(changed, "details")
	}
	if upd.DueOn != nil {
		t.DueOn = *upd.DueOn
		changed = append(changed, "due_on")
	}
	if upd.AssigneeID != nil {
		t.AssigneeID = *upd.AssigneeID
		changed = append(changed, "assignee_id")
	}
	if upd.Done != nil && *upd.Done != t.Done() {
		if *upd.Done {
			t.DoneAt, t.DoneBy = &now, userID
			changed = append(changed, "done_at", "done_by")
		} else {
			t.DoneAt, t.DoneBy, t.ReopenedAt = nil, "", &now
			changed = append(changed, "done_at", "done_by", "reopened_at")
		}
	}
	return changed
}

func staleTask(current, given int64) error {
	return &flare.Error{Code: flare.ECONFLICT,
		Message: fmt.Sprintf("the task was changed by someone else (version %d, your change was based on %d); reload it and apply your change again", current, given),
		Fields:  map[string]string{"version": "stale"}}
}

// MyTasks implements flare.TaskService: the open tasks assigned to the
// acting user in cases of their own agency (an assignee is always of the
// case's agency), soonest due first.
func (s *TaskService) MyTasks(ctx context.Context) ([]*flare.Task, error) {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return nil, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	if actor.UserID == "" {
		return nil, nil
	}
	own := policy.Record{Type: "task", OwnerAgencyID: actor.AgencyID}
	if err := policy.Error(policy.Decide(actor, policy.Read, own, nil), own); err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "task"})
	}
	var out []*flare.Task
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.queryTasks(ctx, tx, fmt.Sprintf(`SELECT `+taskColumns+` FROM tasks
			WHERE assignee_id = $1 AND done_at IS NULL
			AND case_id IN (SELECT id FROM cases WHERE agency_id = $2) LIMIT %d`, maxWorkList), actor.UserID, actor.AgencyID)
		return err
	})
	sortTasks(out)
	return out, err
}

func scanTask(r scanner) (*flare.Task, error) {
	var t flare.Task
	var due, done, reopened sql.NullTime
	var assignee, doneBy sql.NullString
	if err := r.Scan(&t.ID, &t.CaseID, &t.Title, &t.Details, &due, &assignee, &done, &doneBy, &reopened, &t.CreatedBy,
		&t.Version, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	if due.Valid {
		d := flare.DateOf(due.Time)
		t.DueOn = &d
	}
	if done.Valid {
		d := done.Time.UTC()
		t.DoneAt = &d
	}
	if reopened.Valid {
		d := reopened.Time.UTC()
		t.ReopenedAt = &d
	}
	t.AssigneeID, t.DoneBy = assignee.String, doneBy.String
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}
