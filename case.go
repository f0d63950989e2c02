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
	return nil
}

// DateOf returns the calendar date of t in UTC, at midnight.
func DateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// CaseFilter selects cases. Zero fields do not filter.
type CaseFilter struct {
	AgencyID string
	Status   CaseStatus
	// Limit caps the number of cases returned (default 100, at most 500).
	Limit int
	// Offset skips that many cases of the ordered result.
	Offset int
}

// CaseUpdate changes some fields of a case. Nil fields are left alone.
// Version must be the version the change was based on.
type CaseUpdate struct {
	Version  int64
	Title    *string
	Status   *CaseStatus
	ClosedOn **time.Time
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
