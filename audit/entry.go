package audit

import (
	"fmt"
	"regexp"
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// Action is what was done, or attempted, to a record.
type Action string

// The actions the log records. A permission denial is recorded with the
// action that was attempted and OutcomeDenied; a failed sign-in is
// ActionSignIn with OutcomeFailed.
const (
	ActionSignIn  Action = "sign_in"
	ActionSignOut Action = "sign_out"
	ActionCreate  Action = "create"
	ActionRead    Action = "read"
	ActionUpdate  Action = "update"
	ActionDelete  Action = "delete"
	ActionExport  Action = "export"
	ActionShare   Action = "share"
)

// Actions returns every valid action in a stable order.
func Actions() []Action {
	return []Action{ActionSignIn, ActionSignOut, ActionCreate, ActionRead, ActionUpdate,
		ActionDelete, ActionExport, ActionShare}
}

// Valid reports whether a is one of Actions.
func (a Action) Valid() bool { return slices.Contains(Actions(), a) }

// Outcome says whether the action happened.
type Outcome string

// The outcomes of an action.
const (
	// OutcomeOK: the action was done.
	OutcomeOK Outcome = "ok"
	// OutcomeDenied: the policy refused it (a permission denial).
	OutcomeDenied Outcome = "denied"
	// OutcomeFailed: it failed for another reason the log must show, such
	// as a wrong password at sign-in.
	OutcomeFailed Outcome = "failed"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == OutcomeOK || o == OutcomeDenied || o == OutcomeFailed }

// Limits that keep one entry small and free of personal values.
const (
	MaxIDLength            = 64
	MaxFields              = 64
	MaxJustificationLength = 1000 // runes
)

// Entry is one event of the audit trail: when, who, what, through which
// session, and why when the user had to say why.
//
// An entry holds identifiers and field NAMES only, never the values of a
// record (security checklist R-AU2): Validate refuses identifiers and field
// names that could carry free text. Justification is the one free-text
// field, and holds what the user typed as the reason for their access.
type Entry struct {
	// Seq is the entry's position in the log, from 0, with no gaps; it is
	// also the index of its leaf in the Merkle tree. The store assigns it.
	Seq int64
	// At is when the action happened, in UTC, to the microsecond (the
	// precision both databases keep).
	At time.Time
	// UserID and AgencyID say who acted; both are empty for an anonymous
	// caller, UserID is empty for the console operator.
	UserID   string
	AgencyID string
	// Console is true for the operator at the server's console.
	Console bool
	// SessionID is the id of the session the action came through: an
	// identifier of the session record, never the secret session token.
	SessionID string
	Action    Action
	Outcome   Outcome
	// RecordType and RecordID name the record acted on ("case", "person",
	// "user", "session", "audit_log", ...).
	RecordType string
	RecordID   string
	// CaseID is the case the record belongs to (the case itself for a
	// case), so that "who looked at this case" is one query.
	CaseID string
	// Fields are the names of the fields changed (or read, for a read of
	// part of a record), sorted and without repeats.
	Fields []string
	// Justification is the reason the user gave, where one is required
	// (a read of a victim's identity by police or prosecution, a share).
	Justification string
}

var (
	idPattern         = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
	recordTypePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	fieldPattern      = regexp.MustCompile(`^[a-z][a-z0-9_.]{0,63}$`)
)

// ValidationError says which part of an entry is wrong. It never quotes
// the offending value, which may be exactly the personal data that must not
// reach the log or its error messages.
type ValidationError struct {
	Field   string
	Problem string
}

// Error implements the error interface.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("audit entry: %s %s", e.Field, e.Problem)
}

func invalid(field, problem string) error { return &ValidationError{Field: field, Problem: problem} }

// Validate checks that e can be encoded and holds no free text outside
// Justification.
func (e *Entry) Validate() error {
	if e.Seq < 0 {
		return invalid("seq", "is negative")
	}
	if e.At.IsZero() {
		return invalid("at", "is missing")
	}
	if !e.At.Equal(e.At.Truncate(time.Microsecond)) {
		return invalid("at", "is finer than a microsecond")
	}
	for _, id := range []struct{ name, v string }{
		{"user_id", e.UserID}, {"agency_id", e.AgencyID}, {"session_id", e.SessionID},
		{"record_id", e.RecordID}, {"case_id", e.CaseID},
	} {
		if id.v == "" {
			continue
		}
		if len(id.v) > MaxIDLength || !idPattern.MatchString(id.v) {
			return invalid(id.name, "is not an identifier (letters, digits and . _ : - only)")
		}
	}
	if !e.Action.Valid() {
		return invalid("action", "is not a known action")
	}
	if !e.Outcome.Valid() {
		return invalid("outcome", "is not ok, denied or failed")
	}
	if !recordTypePattern.MatchString(e.RecordType) {
		return invalid("record_type", "must be a lower-case name")
	}
	if len(e.Fields) > MaxFields {
		return invalid("fields", fmt.Sprintf("has more than %d names", MaxFields))
	}
	for i, f := range e.Fields {
		if !fieldPattern.MatchString(f) {
			return invalid("fields", "must hold field names, not values")
		}
		if i > 0 && e.Fields[i-1] >= f {
			return invalid("fields", "must be sorted without repeats")
		}
	}
	if err := checkJustification(e.Justification); err != nil {
		return err
	}
	return nil
}

func checkJustification(s string) error {
	if !utf8.ValidString(s) {
		return invalid("justification", "is not valid UTF-8")
	}
	if utf8.RuneCountInString(s) > MaxJustificationLength {
		return invalid("justification", fmt.Sprintf("is longer than %d characters", MaxJustificationLength))
	}
	for _, r := range s {
		// Line breaks and tabs are text; other controls could forge
		// lines in an export or a terminal.
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return invalid("justification", "contains a control character")
		}
	}
	return nil
}

// Normalized returns a copy of e ready to append: At in UTC and cut to the
// microsecond, Fields sorted without repeats. It does not validate.
func (e Entry) Normalized() Entry {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	if e.Fields != nil {
		f := slices.Clone(e.Fields)
		slices.Sort(f)
		e.Fields = slices.Compact(f)
	}
	return e
}
