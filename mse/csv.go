package mse

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// InputError reports a malformed capture table. Line is 1-based (the header
// is line 1); 0 means the table as a whole.
type InputError struct {
	Line int
	Msg  string
}

// Error implements the error interface.
func (e *InputError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// maxCSVBytes bounds what ReadCSV accepts: a table of 4,095 patterns over 12
// lists is well under 200 KB, so anything larger is not a capture table.
const maxCSVBytes = 8 << 20

// ReadCSV decodes a capture table in the layout of the reference data sets
// (SparseMSE, modslavmse): a header naming the K lists and then the count
// column, and one row per observed pattern with K 0/1 cells and a
// non-negative integer count. Patterns absent from the file have count zero;
// the all-zero pattern and repeated patterns are errors.
func ReadCSV(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxCSVBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read capture table: %w", err)
	}
	if len(data) > maxCSVBytes {
		return nil, &InputError{Msg: fmt.Sprintf("capture table larger than %d bytes", maxCSVBytes)}
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff")))
	cr.FieldsPerRecord = -1 // checked below, with a message naming the expected layout
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &InputError{Msg: "empty capture table: want a header line with the list names and a count column"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	if len(header) < MinLists+1 {
		return nil, &InputError{Line: 1, Msg: fmt.Sprintf("header has %d columns: want one per list (at least %d) and a final count column", len(header), MinLists)}
	}
	t, err := NewTable(header[:len(header)-1])
	if err != nil {
		return nil, &InputError{Line: 1, Msg: err.Error()}
	}
	k := t.K()
	firstLine := make(map[uint]int)
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != k+1 {
			return nil, &InputError{Line: line, Msg: fmt.Sprintf("%d columns, want %d (%d lists and a count)", len(rec), k+1, k)}
		}
		var p uint
		for i := range k {
			switch strings.TrimSpace(rec[i]) {
			case "1":
				p |= 1 << i
			case "0":
			default:
				return nil, &InputError{Line: line, Msg: fmt.Sprintf("column %s: %q is not 0 or 1", t.lists[i], rec[i])}
			}
		}
		if p == 0 {
			return nil, &InputError{Line: line, Msg: "the all-zero pattern (cases on no list) cannot be observed; it is what is estimated"}
		}
		if prev, dup := firstLine[p]; dup {
			return nil, &InputError{Line: line, Msg: fmt.Sprintf("pattern %s already given on line %d", t.patternString(p), prev)}
		}
		firstLine[p] = line
		count, err := strconv.ParseInt(strings.TrimSpace(rec[k]), 10, 64)
		if err != nil || count < 0 {
			return nil, &InputError{Line: line, Msg: fmt.Sprintf("count %q is not a non-negative integer", rec[k])}
		}
		if err := t.Set(p, count); err != nil {
			return nil, &InputError{Line: line, Msg: err.Error()}
		}
		rows++
	}
	if rows == 0 {
		return nil, &InputError{Msg: "capture table has no rows"}
	}
	return t, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &InputError{Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &InputError{Msg: err.Error()}
}
