package screening

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sanity bounds on the input. They are not legal thresholds: they keep a
// typing mistake (an age of 1700) or a hostile file from passing as data.
const (
	maxAge         = 130
	maxEpisodeLen  = 100  // characters of an episode identifier
	maxEvidenceRef = 1000 // characters of an evidence reference
	maxShownCode   = 40   // characters of an unknown code echoed in an error
)

// Period is the reference period of a screening; both days are included.
type Period struct {
	Start, End Date
}

// Contains reports whether d falls within p, first and last day included.
func (p Period) Contains(d Date) bool {
	return d.Compare(p.Start) >= 0 && d.Compare(p.End) <= 0
}

// Input is everything a screening looks at, for one person.
type Input struct {
	// Period is the reference period; nil when none was given, in which
	// case every observation counts.
	Period *Period
	// Age is the person's age in years at the time of the work; nil when
	// unknown.
	Age *float64
	// MayBeMinor records signs that the person may be under 18. It matters
	// only when Age is unknown.
	MayBeMinor bool
	// Observations are the elements observed, one per observation.
	Observations []Observation
	// ParentInForcedLabour records that a parent is in forced labour in
	// connection with the child's work (child rule (ii)).
	ParentInForcedLabour bool
	// WorstForms records worst forms of child labour (child rule (iii)).
	WorstForms WorstForms
	// Trafficking holds the trafficking act, means and purpose elements.
	Trafficking TraffickingElements
}

// InputError is an invalid input. Field names the offending field as a JSON
// path of the input document, e.g. "observations[2].mode".
type InputError struct {
	Field   string
	Message string
}

// Error implements error.
func (e *InputError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate reports the first problem with in as an *InputError, checking
// fields in document order so the same input always names the same field.
func (in Input) Validate() error {
	if p := in.Period; p != nil {
		if p.Start.IsZero() {
			return invalid("reference_period.start", "is required")
		}
		if p.End.IsZero() {
			return invalid("reference_period.end", "is required")
		}
		if p.End.Compare(p.Start) < 0 {
			return invalid("reference_period.end", "%s is before the start %s", p.End, p.Start)
		}
	}
	if a := in.Age; a != nil {
		if math.IsNaN(*a) || *a < 0 || *a > maxAge {
			return invalid("age", "must be between 0 and %d years, or null when unknown", maxAge)
		}
	}
	for i, o := range in.Observations {
		if err := o.validate(); err != nil {
			// The path is built only on error: Validate runs on every input.
			err.Field = fmt.Sprintf("observations[%d].%s", i, err.Field)
			return err
		}
	}
	return in.Trafficking.validate("trafficking")
}

// validate checks one observation; the error names the field relative to
// the observation.
func (o Observation) validate() *InputError {
	if err := checkText(o.Episode, maxEpisodeLen); err != nil {
		return invalid("episode", "%v", err)
	}
	if o.On.IsZero() {
		return invalid("on", "is required")
	}
	if o.Element == "" && o.Indicator == "" {
		return invalid("element", "an element or an indicator is required")
	}
	if o.Element != "" && !o.Element.Valid() {
		return invalid("element", "%s", unknownCode(o.Element, Elements()))
	}
	if o.Indicator != "" && !o.Indicator.Valid() {
		return invalid("indicator", "%s", unknownCode(o.Indicator, Indicators()))
	}
	if o.Perpetrator == "" {
		return invalid("perpetrator", "is required")
	}
	if !slices.Contains(Roles(), o.Perpetrator) {
		return invalid("perpetrator", "%s", unknownCode(o.Perpetrator, Roles()))
	}
	if o.Stage == "" {
		return invalid("stage", "is required")
	}
	if !slices.Contains(Stages(), o.Stage) {
		return invalid("stage", "%s", unknownCode(o.Stage, Stages()))
	}
	// The mode belongs to coercion only (shared/domain/screening.md,
	// "Rules"): asking for it keeps the record complete, refusing it on
	// involuntariness keeps a mistaken element code from passing unnoticed.
	switch el := o.RecordedElement(); {
	case el.Kind() == Coercion && o.Mode == "":
		return invalid("mode", "is required for the coercion element %s", el)
	case el.Kind() == Involuntariness && o.Mode != "":
		return invalid("mode", "applies to coercion only, not to the involuntariness element %s", el)
	case o.Mode != "" && !slices.Contains(Modes(), o.Mode):
		return invalid("mode", "%s", unknownCode(o.Mode, Modes()))
	}
	if e := o.Evidence; e != nil {
		if e.Kind == "" {
			return invalid("evidence.kind", "is required")
		}
		if !slices.Contains(EvidenceKinds(), e.Kind) {
			return invalid("evidence.kind", "%s", unknownCode(e.Kind, EvidenceKinds()))
		}
		if e.Ref != "" {
			if err := checkText(e.Ref, maxEvidenceRef); err != nil {
				return invalid("evidence.ref", "%v", err)
			}
		}
	}
	return nil
}

func (t TraffickingElements) validate(path string) error {
	for i, a := range t.Acts {
		if !slices.Contains(Acts(), a) {
			return invalid(fmt.Sprintf("%s.acts[%d]", path, i), "%s", unknownCode(a, Acts()))
		}
	}
	for i, m := range t.Means {
		if !slices.Contains(AllMeans(), m) {
			return invalid(fmt.Sprintf("%s.means[%d]", path, i), "%s", unknownCode(m, AllMeans()))
		}
	}
	for i, p := range t.Purposes {
		if !slices.Contains(Purposes(), p) {
			return invalid(fmt.Sprintf("%s.purposes[%d]", path, i), "%s", unknownCode(p, Purposes()))
		}
	}
	return nil
}

// checkText accepts a non-empty, printable identifier or reference of at most
// max characters. Control characters are refused because these strings are
// echoed in explanations and on terminals.
func checkText(s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("is required")
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("is %d characters long; at most %d are allowed", n, max)
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return fmt.Errorf("contains a control character")
	}
	return nil
}

// unknownCode says that code is not one of known, listing the known codes so
// that the person fixing the file need not look them up.
func unknownCode[T ~string](code T, known []T) string {
	names := make([]string, len(known))
	for i, k := range known {
		names[i] = string(k)
	}
	shown := string(code)
	if r := []rune(shown); len(r) > maxShownCode {
		shown = string(r[:maxShownCode]) + "..."
	}
	return fmt.Sprintf("unknown code %q (known: %s)", shown, strings.Join(names, ", "))
}
