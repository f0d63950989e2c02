package audit_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare/audit"
)

// TestValidateRefusesValues (R-AU2): identifiers and field names cannot
// carry a person's data, and the error never repeats what was refused.
func TestValidateRefusesValues(t *testing.T) {
	const marker = "Maria Quispe"
	tests := []struct {
		name   string
		change func(e *audit.Entry)
		field  string
	}{
		{"name as record id", func(e *audit.Entry) { e.RecordID = marker }, "record_id"},
		{"name as case id", func(e *audit.Entry) { e.CaseID = marker }, "case_id"},
		{"name as user id", func(e *audit.Entry) { e.UserID = marker }, "user_id"},
		{"name as session id", func(e *audit.Entry) { e.SessionID = marker }, "session_id"},
		{"value as field name", func(e *audit.Entry) { e.Fields = []string{"name=" + marker} }, "fields"},
		{"capitalised field", func(e *audit.Entry) { e.Fields = []string{"Maria"} }, "fields"},
		{"overlong id", func(e *audit.Entry) { e.RecordID = strings.Repeat("a", audit.MaxIDLength+1) }, "record_id"},
		{"id with a leading dash", func(e *audit.Entry) { e.RecordID = "-x" }, "record_id"},
		{"unsorted fields", func(e *audit.Entry) { e.Fields = []string{"title", "status"} }, "fields"},
		{"repeated field", func(e *audit.Entry) { e.Fields = []string{"title", "title"} }, "fields"},
		{"too many fields", func(e *audit.Entry) {
			e.Fields = nil
			for i := range audit.MaxFields + 1 {
				e.Fields = append(e.Fields, "f"+strings.Repeat("x", i))
			}
		}, "fields"},
		{"record type with spaces", func(e *audit.Entry) { e.RecordType = "case file" }, "record_type"},
		{"missing record type", func(e *audit.Entry) { e.RecordType = "" }, "record_type"},
		{"unknown action", func(e *audit.Entry) { e.Action = "peek" }, "action"},
		{"unknown outcome", func(e *audit.Entry) { e.Outcome = "" }, "outcome"},
		{"no time", func(e *audit.Entry) { e.At = time.Time{} }, "at"},
		{"nanoseconds", func(e *audit.Entry) { e.At = e.At.Add(1) }, "at"},
		{"negative seq", func(e *audit.Entry) { e.Seq = -1 }, "seq"},
		{"justification with escape", func(e *audit.Entry) { e.Justification = "ok\x1b[2J" }, "justification"},
		{"justification with CR", func(e *audit.Entry) { e.Justification = "a\rb" }, "justification"},
		{"justification too long", func(e *audit.Entry) { e.Justification = strings.Repeat("é", audit.MaxJustificationLength+1) }, "justification"},
		{"justification not UTF-8", func(e *audit.Entry) { e.Justification = "\xff" }, "justification"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sampleEntry(1)
			tt.change(&e)
			err := e.Validate()
			var ve *audit.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field {
				t.Fatalf("Validate = %v, want a ValidationError on %s", err, tt.field)
			}
			if strings.Contains(err.Error(), "Maria") {
				t.Errorf("error repeats the refused value: %v", err)
			}
			if _, err := audit.Encode(e); err == nil {
				t.Errorf("Encode accepted what Validate refuses")
			}
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	e := sampleEntry(1)
	e.Justification = "Court order 2026/4411, tab\tand\nnewline are text"
	e.Fields = []string{"identity.name", "identity.nationality"}
	e.RecordID = "case:2026.17_a-b"
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestNormalized(t *testing.T) {
	loc := time.FixedZone("X", 3600)
	fields := []string{"title", "status", "title"}
	e := audit.Entry{At: time.Date(2026, 1, 2, 3, 4, 5, 6789, loc), Fields: fields}
	n := e.Normalized()
	if n.At.Location() != time.UTC || n.At.Nanosecond() != 6000 || !n.At.Equal(time.Date(2026, 1, 2, 2, 4, 5, 6000, time.UTC)) {
		t.Errorf("At = %v", n.At)
	}
	if strings.Join(n.Fields, ",") != "status,title" {
		t.Errorf("Fields = %v", n.Fields)
	}
	if strings.Join(fields, ",") != "title,status,title" {
		t.Errorf("Normalized changed the caller's slice: %v", fields)
	}
}
