package flare

import (
	"context"
	"time"
	"unicode/utf8"
)

// MaxTaskDetails bounds a task's details (runes).
const MaxTaskDetails = 4000

// Task is something to do on a case, by a date, by someone of the case's
// agency (issue #5: "tasks with due dates and assignees"). HTCDS 2.0 has no
// task record (it leaves tasks to the case system), so the names are
// Flare's own. A task is done when DoneAt is set; reopening clears it.
type Task struct {
	ID      string `json:"id"`
	CaseID  string `json:"case_id"`
	Title   string `json:"title"`
	Details string `json:"details,omitempty"`
	// DueOn is a calendar date (UTC midnight), or nil for no deadline.
	DueOn *time.Time `json:"due_on,omitempty"`
	// AssigneeID is an active user of the case's agency, or empty.
	AssigneeID string `json:"assignee_id,omitempty"`
	// DoneAt and DoneBy are set when the task is marked done.
	DoneAt *time.Time `json:"done_at,omitempty"`
	DoneBy string     `json:"done_by,omitempty"`
	// ReopenedAt is when it was last reopened after being done.
	ReopenedAt *time.Time `json:"reopened_at,omitempty"`
	CreatedBy  string     `json:"created_by,omitempty"`
	// Overdue is true for an open task whose due date has passed, by the
	// store's clock when the task was read.
	Overdue   bool      `json:"overdue"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate normalises the task's text and checks every field.
func (t *Task) Validate() error {
	t.Title = CleanLine(t.Title)
	t.Details = CleanText(t.Details)
	switch {
	case t.CaseID == "":
		return FieldError("case_id", "is required")
	case t.Title == "":
		return FieldError("title", "is required")
	case utf8.RuneCountInString(t.Title) > MaxNameLength:
		return FieldError("title", "is longer than %d characters", MaxNameLength)
	case utf8.RuneCountInString(t.Details) > MaxTaskDetails:
		return FieldError("details", "is longer than %d characters", MaxTaskDetails)
	}
	if t.DueOn != nil {
		d := DateOf(*t.DueOn)
		t.DueOn = &d
	}
	return nil
}

// Done reports whether the task is done.
func (t *Task) Done() bool { return t.DoneAt != nil }

// IsOverdue reports whether the task is open and was due before today
// (a date: a task due today is not overdue yet).
func (t *Task) IsOverdue(today time.Time) bool {
	return t.DoneAt == nil && t.DueOn != nil && t.DueOn.Before(DateOf(today))
}

// TaskUpdate changes some fields of a task; nil fields are left alone.
// Version must be the version the change was based on. Done marks the task
// done (true) or reopens it (false).
type TaskUpdate struct {
	Version    int64
	Title      *string
	Details    *string
	DueOn      **time.Time
	AssigneeID *string
	Done       *bool
}

// TaskService manages the tasks of cases.
type TaskService interface {
	// CreateTask stores a new task and sets its ID, Version and timestamps.
	CreateTask(ctx context.Context, t *Task) error
	// Task returns one task.
	Task(ctx context.Context, id string) (*Task, error)
	// Tasks returns the tasks of a case: open ones first by due date, then
	// done ones, most recently done first.
	Tasks(ctx context.Context, caseID string) ([]*Task, error)
	// UpdateTask applies upd if the task is still at upd.Version; a stale
	// version is a conflict and changes nothing.
	UpdateTask(ctx context.Context, id string, upd TaskUpdate) (*Task, error)
	// MyTasks returns the open tasks assigned to the acting user, across
	// the cases they may read, soonest due first.
	MyTasks(ctx context.Context) ([]*Task, error)
}
