package flare

import (
	"context"
	"slices"
	"time"
)

// TimelineEvent is one thing that happened to a case, for its timeline:
// built from the audit log (who, when, what kind of record, which fields;
// never values), with a label where the record has one that is not secret
// (a task's title).
type TimelineEvent struct {
	// Seq is the audit entry's position in the log; pass the last one as
	// TimelineFilter.Before for the next page.
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	UserID   string    `json:"user_id,omitempty"`
	AgencyID string    `json:"agency_id,omitempty"`
	Console  bool      `json:"console,omitempty"`
	// Kind names what happened, e.g. "task.done" or "case.status"; the
	// pages show it through the catalogue key "timeline.<kind>".
	Kind       string   `json:"kind"`
	Action     string   `json:"action"`
	RecordType string   `json:"record_type"`
	RecordID   string   `json:"record_id,omitempty"`
	Fields     []string `json:"fields,omitempty"`
	Label      string   `json:"label,omitempty"`
}

// TimelineFilter pages a case's timeline, newest first.
type TimelineFilter struct {
	// Limit caps the events returned (default and maximum 500).
	Limit int
	// Before, when above 0, keeps events older than that Seq.
	Before int64
}

// TimelineService answers "what happened to this case".
type TimelineService interface {
	Timeline(ctx context.Context, caseID string, f TimelineFilter) ([]*TimelineEvent, error)
}

// timelineTypes are the record types with words of their own on a
// timeline, and the actions they have words for; others read as "record".
var timelineTypes = map[string][]string{
	"case":         {"create", "update", "delete", "export", "share"},
	"note":         {"create"},
	"task":         {"create", "update"},
	"document":     {"create", "delete"},
	"person":       {"create", "update", "delete"},
	"organisation": {"create", "update", "delete"},
	"worksite":     {"create", "update", "delete"},
	"case_grant":   {"share", "update"},
}

// TimelineActions are the audit actions a timeline shows: what changed the
// case, not who looked at it (reads are in the supervisor's access list).
func TimelineActions() []string { return []string{"create", "update", "delete", "export", "share"} }

// TimelineKind names what an audit entry of a case means: the record type
// and action, sharpened by the fields changed where that says more (a
// status change, a task marked done or reopened).
func TimelineKind(recordType, action string, fields []string) string {
	has := func(f string) bool { return slices.Contains(fields, f) }
	switch {
	case recordType == "case" && action == "update" && has("status"):
		return "case.status"
	case recordType == "case" && action == "update" && has("assigned_to") && len(fields) == 1:
		return "case.assigned"
	case recordType == "task" && action == "update" && has("reopened_at"):
		return "task.reopen"
	case recordType == "task" && action == "update" && has("done_at"):
		return "task.done"
	}
	if slices.Contains(timelineTypes[recordType], action) {
		return recordType + "." + action
	}
	if slices.Contains(TimelineActions(), action) {
		return "record." + action
	}
	return "record.update"
}

// TimelineKinds lists every kind TimelineKind returns, so that a test can
// check each has words in every catalogue.
func TimelineKinds() []string {
	out := []string{"case.status", "case.assigned", "task.reopen", "task.done"}
	for t, actions := range timelineTypes {
		for _, a := range actions {
			out = append(out, t+"."+a)
		}
	}
	for _, a := range TimelineActions() {
		out = append(out, "record."+a)
	}
	slices.Sort(out)
	return out
}
