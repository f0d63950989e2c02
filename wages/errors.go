package wages

import (
	"fmt"
	"strings"
)

// maxInputErrors caps how many problems one validation reports: enough to
// fix a form in one pass, short enough to read.
const maxInputErrors = 50

// InputError is one problem with a claim, located by Field, a path into the
// JSON input such as "periods[2].hours_worked" ("" for the document as a
// whole, whose problems are located by line in Problem instead).
type InputError struct {
	Field   string
	Problem string
}

// Error returns "field: problem".
func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Problem
	}
	return e.Field + ": " + e.Problem
}

// InputErrors is every problem found in a claim, in input order. A
// non-empty InputErrors is the error DecodeClaim, Validate and Compute
// return for bad input, so a caller can show each problem next to its field.
type InputErrors []*InputError

// Error joins the problems with "; ".
func (errs InputErrors) Error() string {
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// problems collects InputErrors while validating, up to maxInputErrors.
type problems struct {
	errs      InputErrors
	truncated bool
}

func (p *problems) add(field, format string, args ...any) {
	if len(p.errs) >= maxInputErrors {
		p.truncated = true
		return
	}
	p.errs = append(p.errs, &InputError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// err returns the collected problems as an error, or nil if there are none.
func (p *problems) err() error {
	if len(p.errs) == 0 {
		return nil
	}
	if p.truncated {
		return append(p.errs, &InputError{Problem: fmt.Sprintf("more problems not shown (first %d listed)", maxInputErrors)})
	}
	return p.errs
}
