package html

import (
	"time"

	"github.com/flare-ilo/flare"
)

// WorkSection is the notes, tasks, documents and timeline of a case on its
// page, with the status form; the form pages (WorkFormView) carry one too,
// so the same form templates serve both.
type WorkSection struct {
	// Shown is false when the server has no work services configured.
	Shown bool
	// CaseID and CaseVersion are the case the forms post to, and the
	// version the status form is based on.
	CaseID      string
	CaseVersion int64
	// Status is the case's status, NextStatuses where it may go
	// (flare.CaseStatus.NextStatuses) and ClosureReasons the reasons a
	// closing needs.
	Status         flare.CaseStatus
	NextStatuses   []flare.CaseStatus
	ClosureReasons []flare.ClosureReason
	Notes          []NoteLine
	Tasks          []TaskLine
	Documents      []DocumentLine
	// Timeline is the newest events; TimelineMore says there are older.
	Timeline     []TimelineLine
	TimelineMore bool
	// MaxDocumentSize is the upload limit for people ("10 MiB"); Accept
	// the file types for the upload field's accept attribute.
	MaxDocumentSize string
	Accept          string

	// The state of a form shown again after a refusal: Form names it
	// ("note", "task", "document", "status"), Errors maps field names to
	// messages, and the other fields hold what was typed.
	Form          string
	Errors        map[string]string
	ErrorMessage  string
	Text          string
	Corrects      string
	Description   string
	ClosureReason string
	NewStatus     string
	Title         string
	Details       string
	DueOn         string
	AssignToMe    bool
	// TaskID and TaskVersion are set when a task is edited.
	TaskID      string
	TaskVersion int64
	TaskDone    bool
}

// NoteLine is one note on the case page.
type NoteLine struct {
	*flare.Note
	// Mine is true for the signed-in user's own note.
	Mine bool
}

// TaskLine is one task on the case page.
type TaskLine struct {
	*flare.Task
	// AssignedToMe is true when the signed-in user is the assignee.
	AssignedToMe bool
}

// DocumentLine is one document on the case page.
type DocumentLine struct {
	*flare.Document
	// SizeText is the size for people ("1.5 MiB").
	SizeText string
}

// TimelineLine is one event of a case's timeline.
type TimelineLine struct {
	At time.Time
	// Who names the actor as the access list does.
	Who string
	// KindKey is the catalogue key of what happened ("timeline.task.done").
	KindKey string
	// Label names the record where it has a name that is not secret (a
	// task's title).
	Label string
}

// WorkFormView is a page with one form of a case's work: a note, task,
// document or status form shown again with the reason it was refused, a
// correction of a note, or the edit form of a task.
type WorkFormView struct {
	Page
	Case *flare.Case
	Work WorkSection
}

// TimelineView is the whole timeline of a case, a page at a time.
type TimelineView struct {
	Page
	Case   *flare.Case
	Events []TimelineLine
	// Older is the cursor of the next page ("?before="), 0 when none.
	Older int64
}

// MyTasksView is the signed-in user's open tasks across cases ("my work").
type MyTasksView struct {
	Page
	Tasks []*flare.Task
}
