package html

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

// EnforcementSection is the inspections and proceedings of a case on its
// page (issue #6).
type EnforcementSection struct {
	// Shown is false when the server has no inspection and proceeding
	// services, so the section is left out.
	Shown       bool
	CaseID      string
	Inspections []InspectionLine
	Proceedings []ProceedingLine
}

// InspectionLine is one inspection in the case's list.
type InspectionLine struct {
	*flare.Inspection
	WorksiteName string
}

// ProceedingLine is one proceeding in the case's list or on its page, with
// who it is against, named as the user may see them.
type ProceedingLine struct {
	*flare.Proceeding
	People        []PersonLine
	Organisations []string
}

// Date writes a calendar date as YYYY-MM-DD, or "" for nil.
func Date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// InspectionForm is what the inspection form holds, as typed.
type InspectionForm struct {
	Kind, WorksiteID, VisitedOn, InspectorNames, Findings, WorkersInterviewed, Orders string
	// WithMe adds the user to the inspectors.
	WithMe        bool
	AssessmentIDs []string
}

// Has reports whether the screening id is ticked.
func (f InspectionForm) Has(id string) bool { return slices.Contains(f.AssessmentIDs, id) }

// ScreeningOption is a screening that can be linked to an inspection: of
// whom, when, with what result.
type ScreeningOption struct {
	ID     string
	Person PersonLine
	On     time.Time
	Result string
}

// InspectionFormView adds an inspection to a case.
type InspectionFormView struct {
	Page
	CaseID       string
	Form         InspectionForm
	Worksites    []*flare.Worksite
	Screenings   []ScreeningOption
	Kinds        []flare.InspectionKind
	Errors       map[string]string
	ErrorMessage string
}

// ProceedingForm is what the new-proceeding form holds, as typed.
type ProceedingForm struct {
	Kind, Reference, OpenedOn  string
	PersonIDs, OrganisationIDs []string
}

// HasPerson reports whether the person is ticked.
func (f ProceedingForm) HasPerson(id string) bool { return slices.Contains(f.PersonIDs, id) }

// HasOrganisation reports whether the organisation is ticked.
func (f ProceedingForm) HasOrganisation(id string) bool {
	return slices.Contains(f.OrganisationIDs, id)
}

// ProceedingFormView opens a proceeding in a case.
type ProceedingFormView struct {
	Page
	CaseID        string
	Form          ProceedingForm
	People        []PersonLine
	Organisations []*flare.Organisation
	Kinds         []flare.ProceedingKind
	Errors        map[string]string
	ErrorMessage  string
}

// PenaltyRow is one row of penalties in the proceeding form, as typed:
// the amount in major units ("1500.50").
type PenaltyRow struct {
	Kind, Amount, Currency, Months, Note string
	Suspended                            bool
	// Number counts the rows from 1, for their legends.
	Number int
}

// ProceedingUpdateForm moves a proceeding on, as typed.
type ProceedingUpdateForm struct {
	Stage, Outcome, ClosedOn, Reference string
	Penalties                           []PenaltyRow
}

// ProceedingView is a proceeding's page: what it is, and the form that
// moves its stage and records its outcome and penalties.
type ProceedingView struct {
	Page
	Line         ProceedingLine
	Version      int64
	Form         ProceedingUpdateForm
	Stages       []flare.ProceedingStage
	Outcomes     []flare.ProceedingOutcome
	PenaltyKinds []flare.PenaltyKind
	Errors       map[string]string
	ErrorMessage string
}

// EraseView is the page that erases a person (security checklist R-DP3):
// the holds that prevent it, or the form that asks for the reason.
type EraseView struct {
	Page
	Person *flare.Person
	Holds  []flare.LegalHold
	// CanErase shows the form: a supervisor of the owning agency.
	CanErase     bool
	Reason       string
	Errors       map[string]string
	ErrorMessage string
}

// FindingLines splits the findings into their lines, for paragraphs.
func (l InspectionLine) FindingLines() []string {
	var out []string
	for _, s := range strings.Split(l.Findings, "\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Rows returns the penalty rows numbered from 1.
func (f ProceedingUpdateForm) Rows() []PenaltyRow {
	out := make([]PenaltyRow, len(f.Penalties))
	for i, r := range f.Penalties {
		r.Number = i + 1
		out[i] = r
	}
	return out
}

// PenaltyError is the error of one penalty row.
type PenaltyError struct {
	Number  int
	Message string
}

// PenaltyErrors lists the errors of penalty rows ("penalties[0].amount"),
// by row.
func (v ProceedingView) PenaltyErrors() []PenaltyError {
	var out []PenaltyError
	for f, m := range v.Errors {
		var i int
		if _, err := fmt.Sscanf(f, "penalties[%d]", &i); err == nil {
			out = append(out, PenaltyError{Number: i + 1, Message: m})
		}
	}
	slices.SortFunc(out, func(a, b PenaltyError) int { return a.Number - b.Number })
	return out
}
