package flare

import (
	"testing"
	"time"
)

func TestTimelineKind(t *testing.T) {
	tests := []struct {
		recordType, action string
		fields             []string
		want               string
	}{
		{"case", "create", []string{"title"}, "case.create"},
		{"case", "update", []string{"closed_on", "status"}, "case.status"},
		{"case", "update", []string{"assigned_to"}, "case.assigned"},
		{"case", "update", []string{"assigned_to", "title"}, "case.update"},
		{"task", "update", []string{"done_at", "done_by"}, "task.done"},
		{"task", "update", []string{"done_at", "done_by", "reopened_at"}, "task.reopen"},
		{"task", "update", []string{"title"}, "task.update"},
		{"note", "create", []string{"text"}, "note.create"},
		{"document", "create", nil, "document.create"},
		{"person", "update", nil, "person.update"},
		{"case_grant", "share", nil, "case_grant.share"},
		{"assessment", "create", nil, "record.create"},
		{"note", "update", nil, "record.update"},
		{"weird", "sign_in", nil, "record.update"},
	}
	kinds := map[string]bool{}
	for _, k := range TimelineKinds() {
		kinds[k] = true
	}
	for _, tc := range tests {
		got := TimelineKind(tc.recordType, tc.action, tc.fields)
		if got != tc.want || !kinds[got] {
			t.Errorf("TimelineKind(%s, %s, %v) = %q (listed %v), want %q", tc.recordType, tc.action, tc.fields, got, kinds[got], tc.want)
		}
	}
}

func TestTaskValidateAndOverdue(t *testing.T) {
	due := time.Date(2026, 11, 20, 15, 0, 0, 0, time.FixedZone("EAT", 3*3600))
	task := Task{CaseID: "c", Title: "  Call\nthe consulate ", DueOn: &due}
	if err := task.Validate(); err != nil || task.Title != "Call the consulate" || !task.DueOn.Equal(time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("validated = %+v, %v", task, err)
	}
	for today, want := range map[time.Time]bool{
		time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC): false, // due today is not late yet
		time.Date(2026, 11, 21, 0, 0, 1, 0, time.UTC):  true,
	} {
		if got := task.IsOverdue(today); got != want {
			t.Errorf("IsOverdue(%v) = %v, want %v", today, got, want)
		}
	}
	now := time.Now()
	task.DoneAt = &now
	if task.IsOverdue(now.AddDate(1, 0, 0)) {
		t.Error("a done task is overdue")
	}
	for _, bad := range []Task{{Title: "x"}, {CaseID: "c"}, {CaseID: "c", Title: string(make([]rune, 201))}} {
		if err := bad.Validate(); ErrorCodeOf(err) != EINVALID {
			t.Errorf("Validate(%+v) = %v", bad, err)
		}
	}
}

func TestNoteValidate(t *testing.T) {
	n := Note{CaseID: "c", Text: " e\u0301 \u202eline one\nline two "}
	if err := n.Validate(); err != nil || n.Text != "é line one\nline two" {
		t.Fatalf("validated %q, %v", n.Text, err)
	}
	for _, bad := range []Note{{Text: "x"}, {CaseID: "c", Text: "\u200f \t"}} {
		if err := bad.Validate(); ErrorCodeOf(err) != EINVALID {
			t.Errorf("Validate(%+v) = %v", bad, err)
		}
	}
}
