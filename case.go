package flare

import (
	"context"
	"regexp"
	"time"
	"unicode/utf8"
)

// CaseStatus is where a case stands in its life. The workflow between them
// belongs to casework; the foundation knows only the values.
type CaseStatus string

// The statuses of a case.
const (
	CaseOpen          CaseStatus = "open"
	CaseAssessment    CaseStatus = "assessment"
	CaseReferred      CaseStatus = "referred"
	CaseInvestigation CaseStatus = "investigation"
	CaseProceedings   CaseStatus = "proceedings"
	CaseClosed        CaseStatus = "closed"
)

// caseTransitions is the status workflow: from each status, the statuses a
// case may move to. A case is prosecuted only after an investigation, and a
// closed case only reopens (issue #5: "illegal transitions refused"). Going
// back a step (e.g. a referral declined, back to assessment) is allowed
// where real casework does it.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseOpen:          {CaseAssessment, CaseReferred, CaseInvestigation, CaseClosed},
	CaseAssessment:    {CaseOpen, CaseReferred, CaseInvestigation, CaseClosed},
	CaseReferred:      {CaseAssessment, CaseInvestigation, CaseClosed},
	CaseInvestigation: {CaseReferred, CaseProceedings, CaseClosed},
	CaseProceedings:   {CaseInvestigation, CaseClosed},
	CaseClosed:        {CaseOpen},
}

// CanMoveTo reports whether the workflow lets a case go from s to next.
// Staying in the same status is not a move and is always allowed.
func (s CaseStatus) CanMoveTo(next CaseStatus) bool {
	if s == next {
		return true
	}
	for _, v := range caseTransitions[s] {
		if v == next {
			return true
		}
	}
	return false
}

// NextStatuses returns the statuses a case in s may move to, in workflow
// order, for the status menu of the case page.
func (s CaseStatus) NextStatuses() []CaseStatus {
	var out []CaseStatus
	for _, v := range CaseStatuses() {
		if v != s && s.CanMoveTo(v) {
			out = append(out, v)
		}
	}
	return out
}

// ClosureReason says why a case was closed (HTCDS 2.0 cas_ReasonForCaseClosure,
// which is free text there; a closed list here, so statistics can count it).
type ClosureReason string

// The reasons a case closes.
const (
	ClosureResolved          ClosureReason = "resolved"
	ClosureNoForcedLabour    ClosureReason = "no_forced_labour_found"
	ClosureReferredElsewhere ClosureReason = "referred_elsewhere"
	ClosureProceedingsEnded  ClosureReason = "proceedings_concluded"
	ClosureWithdrawn         ClosureReason = "person_withdrew"
	ClosureUnreachable       ClosureReason = "person_unreachable"
	ClosureDuplicate         ClosureReason = "duplicate"
	ClosureOther             ClosureReason = "other"
)

// ClosureReasons returns every closure reason.
func ClosureReasons() []ClosureReason {
	return []ClosureReason{ClosureResolved, ClosureNoForcedLabour, ClosureReferredElsewhere, ClosureProceedingsEnded,
		ClosureWithdrawn, ClosureUnreachable, ClosureDuplicate, ClosureOther}
}

// Valid reports whether r is one of ClosureReasons.
func (r ClosureReason) Valid() bool {
	for _, v := range ClosureReasons() {
		if r == v {
			return true
		}
	}
	return false
}

// CaseStatuses returns every status in workflow order.
func CaseStatuses() []CaseStatus {
	return []CaseStatus{CaseOpen, CaseAssessment, CaseReferred, CaseInvestigation, CaseProceedings, CaseClosed}
}

// Valid reports whether s is one of CaseStatuses.
func (s CaseStatus) Valid() bool {
	for _, v := range CaseStatuses() {
		if s == v {
			return true
		}
	}
	return false
}

// Case is one matter an agency works on: a report, an inspection finding or a
// referral that concerns one or more people. It is owned by one agency, whose
// reference number identifies it there.
type Case struct {
	ID        string     `json:"id"`
	AgencyID  string     `json:"agency_id"`
	Reference string     `json:"reference"`
	Title     string     `json:"title"`
	Status    CaseStatus `json:"status"`
	// OpenedOn and ClosedOn are calendar dates (UTC midnight).
	OpenedOn time.Time  `json:"opened_on"`
	ClosedOn *time.Time `json:"closed_on,omitempty"`
	// ClosureReason is set exactly when the case is closed.
	ClosureReason ClosureReason `json:"closure_reason,omitempty"`
	// Region is the administrative area the case is handled in, for the
	// case list's filter and for statistics.
	Region string `json:"region"`
	// AssignedTo is the user who works the case (HTCDS cas_CaseOwner);
	// empty when no one is assigned yet.
	AssignedTo string `json:"assigned_to,omitempty"`
	// Version increases by one on every update; an update must name the
	// version it was based on, so two editors never overwrite each other.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// referencePattern keeps references printable and unambiguous on paper and
// in URLs: letters, digits and a few separators.
var referencePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N}/._-]{0,63}$`)

// Validate normalises the case's text fields and checks every field.
func (c *Case) Validate() error {
	c.Reference = CleanLine(c.Reference)
	c.Title = CleanLine(c.Title)
	c.Region = CleanLine(c.Region)
	switch {
	case c.AgencyID == "":
		return FieldError("agency_id", "is required")
	case c.Reference == "":
		return FieldError("reference", "is required")
	case !referencePattern.MatchString(c.Reference):
		return FieldError("reference", "must be 1 to 64 letters, digits, '/', '.', '_' or '-', starting with a letter or digit")
	case c.Title == "":
		return FieldError("title", "is required")
	case utf8.RuneCountInString(c.Title) > MaxNameLength:
		return FieldError("title", "is longer than %d characters", MaxNameLength)
	case utf8.RuneCountInString(c.Region) > MaxNameLength:
		return FieldError("region", "is longer than %d characters", MaxNameLength)
	case !c.Status.Valid():
		return FieldError("status", "%q is not a case status", c.Status)
	case c.OpenedOn.IsZero():
		return FieldError("opened_on", "is required")
	}
	c.OpenedOn = DateOf(c.OpenedOn)
	if c.ClosedOn != nil {
		d := DateOf(*c.ClosedOn)
		c.ClosedOn = &d
		if d.Before(c.OpenedOn) {
			return FieldError("closed_on", "is before opened_on")
		}
	}
	if (c.Status == CaseClosed) != (c.ClosedOn != nil) {
		return FieldError("closed_on", "must be set exactly when the status is closed")
	}
	switch {
	case c.Status == CaseClosed && !c.ClosureReason.Valid():
		return FieldError("closure_reason", "is required to close a case: one of %s", joinReasons())
	case c.Status != CaseClosed && c.ClosureReason != "":
		return FieldError("closure_reason", "is set only on a closed case")
	}
	return nil
}

func joinReasons() string {
	var out string
	for i, r := range ClosureReasons() {
		if i > 0 {
			out += ", "
		}
		out += string(r)
	}
	return out
}

// DateOf returns the calendar date of t in UTC, at midnight.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CaseFilter selects cases. Zero fields do not filter; set fields must all
// match. Whatever the filter, a user sees only cases the policy lets them.
type CaseFilter struct {
	AgencyID string
	Status   CaseStatus
	// Region matches the case's region exactly (after CleanLine).
	Region string
	// Sector is an ISIC Rev.4 section letter (A to U): cases with a
	// worksite in that section.
	Sector string
	// OverdueTasks selects cases with an open task past its due date.
	OverdueTasks bool
	// AssignedTo selects the cases assigned to that user ("my cases").
	AssignedTo string
	// Text is free text matched against the case's searchable text (title,
	// region, organisations' names, worksites' addresses) through the
	// database's full-text index, every word as a prefix.
	Text string
	// Name is a person's name, matched word by word through the blind
	// index of the people in the case: names are encrypted and never
	// searched in plaintext.
	Name string
	// Limit caps the number of cases returned (default 100, at most 500).
	Limit int
	// Offset skips that many cases of the ordered result.
	Offset int
}

// CaseUpdate changes some fields of a case. Nil fields are left alone.
// Version must be the version the change was based on.
// Moving to closed sets ClosedOn to today unless given, and needs a
// ClosureReason; reopening clears both.
type CaseUpdate struct {
	Version       int64
	Title         *string
	Status        *CaseStatus
	ClosedOn      **time.Time
	ClosureReason *ClosureReason
	Region        *string
	AssignedTo    *string
}

// CaseService manages cases. Every method acts for the Actor in ctx and
// returns ENOTFOUND for a case that actor may not know exists.
type CaseService interface {
	// CreateCase stores a new case and sets its ID, Version and timestamps.
	// A reference already used in the same agency is a conflict.
	CreateCase(ctx context.Context, c *Case) error
	// Case returns one case by ID.
	Case(ctx context.Context, id string) (*Case, error)
	// Cases returns the cases matching f, newest first.
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)
	// UpdateCase applies upd if the case is still at upd.Version, and
	// returns the case as stored. A stale version is a conflict and
	// changes nothing.
	UpdateCase(ctx context.Context, id string, upd CaseUpdate) (*Case, error)
}
