package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// CSVHeader returns the first row of an exported audit trail.
func CSVHeader() []string {
	return []string{"seq", "at", "user_id", "agency_id", "console", "session_id", "action",
		"outcome", "record_type", "record_id", "case_id", "fields", "justification"}
}

// CSVWriter writes entries as CSV for an oversight body, with every cell
// neutralised against formula injection (checklist R-IH3).
type CSVWriter struct {
	w      *csv.Writer
	header bool
}

// NewCSVWriter returns a writer of entries to w; the header comes first.
func NewCSVWriter(w io.Writer) *CSVWriter { return &CSVWriter{w: csv.NewWriter(w)} }

// Write writes one entry, after the header if it is the first.
func (c *CSVWriter) Write(e Entry) error {
	if !c.header {
		if err := c.w.Write(CSVHeader()); err != nil {
			return fmt.Errorf("write audit CSV header: %w", err)
		}
		c.header = true
	}
	row := []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), e.UserID, e.AgencyID,
		strconv.FormatBool(e.Console), e.SessionID, string(e.Action), string(e.Outcome),
		e.RecordType, e.RecordID, e.CaseID, strings.Join(e.Fields, ";"), e.Justification,
	}
	for i := range row {
		row[i] = NeutralizeCell(row[i])
	}
	if err := c.w.Write(row); err != nil {
		return fmt.Errorf("write audit CSV row %d: %w", e.Seq, err)
	}
	return nil
}

// Flush writes the header if nothing else was written, then flushes.
func (c *CSVWriter) Flush() error {
	if !c.header {
		if err := c.w.Write(CSVHeader()); err != nil {
			return fmt.Errorf("write audit CSV header: %w", err)
		}
		c.header = true
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("write audit CSV: %w", err)
	}
	return nil
}

// NeutralizeCell makes a cell inert in spreadsheet software: a cell that
// begins with = + - @ tab or carriage return would be read as a formula, so
// it gets a leading apostrophe (OWASP, ASVS 5.0 1.2.10). The CSV writer
// then quotes it as needed.
func NeutralizeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
