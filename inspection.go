package flare

import (
	"context"
	"slices"
	"time"
	"unicode/utf8"
)

// Inspection is a labour inspector's visit to a worksite of a case (issue
// #6, enforcement records): planned or unannounced, who inspected and
// when, what they found, how many workers they interviewed, the orders they
// issued and the screenings of the workers they met. Labour inspection is
// the first enforcement tool against forced labour (ILO 2013 Tripartite
// Meeting of Experts, conclusions ¶9 and ¶21; Labour Inspection Convention,
// 1947 (No. 81), Art. 12 on free entry "without previous notice" and
// Art. 13 on orders). The findings can name people, so they are sealed; the
// rest is plaintext, for the inspectorate's statistics.
type Inspection struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// WorksiteID is the worksite visited, one of the case's.
	WorksiteID string         `json:"worksite_id"`
	Kind       InspectionKind `json:"kind"`
	// VisitedOn is the calendar date of the visit (UTC midnight).
	VisitedOn time.Time `json:"visited_on"`
	// InspectorIDs are users of the recording agency who inspected;
	// InspectorNames names others (another agency's inspector, a labour
	// inspector without an account). At least one of the two.
	InspectorIDs   []string `json:"inspector_ids"`
	InspectorNames []string `json:"inspector_names"`
	// Findings is what the inspectors saw and heard, sealed.
	Findings           string `json:"findings,omitempty"`
	WorkersInterviewed int    `json:"workers_interviewed"`
	// Orders are the orders issued on the spot, one line each (a stop-work
	// order, an order to pay wages owed...).
	Orders []string `json:"orders"`
	// AssessmentIDs are the screenings of the workers met, each of a person
	// of the same case.
	AssessmentIDs []string `json:"assessment_ids"`
	// AgencyID is the agency that recorded the inspection; RecordedBy the
	// user ("console" for the operator).
	AgencyID   string    `json:"agency_id"`
	RecordedBy string    `json:"recorded_by"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// InspectionKind says whether a visit was announced.
type InspectionKind string

// The kinds of inspection (C81 Art. 12(1)(a): inspectors may enter "freely
// and without previous notice").
const (
	InspectionPlanned     InspectionKind = "planned"
	InspectionUnannounced InspectionKind = "unannounced"
)

// InspectionKinds lists the kinds of inspection, in form order.
func InspectionKinds() []InspectionKind {
	return []InspectionKind{InspectionUnannounced, InspectionPlanned}
}

// Limits of an inspection record, so one form cannot fill a disk.
const (
	MaxFindingsLength   = 20000
	MaxInspectionOrders = 20
	MaxInspectors       = 20
	MaxLinkedScreenings = 200
	// MaxWorkersInterviewed bounds the count: a larger number is a typo.
	MaxWorkersInterviewed = 100000
)

// Validate normalises the inspection's fields and checks each one.
func (in *Inspection) Validate() error {
	in.Findings = CleanText(in.Findings)
	in.InspectorNames = cleanLines(in.InspectorNames)
	in.Orders = cleanLines(in.Orders)
	in.InspectorIDs = uniqueIDs(in.InspectorIDs)
	in.AssessmentIDs = uniqueIDs(in.AssessmentIDs)
	switch {
	case in.CaseID == "":
		return FieldError("case_id", "is required")
	case in.WorksiteID == "":
		return FieldError("worksite_id", "is required: the worksite visited")
	case !slices.Contains(InspectionKinds(), in.Kind):
		return FieldError("kind", "must be planned or unannounced")
	case in.VisitedOn.IsZero():
		return FieldError("visited_on", "is required")
	case len(in.InspectorIDs)+len(in.InspectorNames) == 0:
		return FieldError("inspectors", "name at least one inspector")
	case len(in.InspectorIDs)+len(in.InspectorNames) > MaxInspectors:
		return FieldError("inspectors", "at most %d inspectors", MaxInspectors)
	case utf8.RuneCountInString(in.Findings) > MaxFindingsLength:
		return FieldError("findings", "is longer than %d characters", MaxFindingsLength)
	case in.WorkersInterviewed < 0:
		return FieldError("workers_interviewed", "cannot be negative")
	case in.WorkersInterviewed > MaxWorkersInterviewed:
		return FieldError("workers_interviewed", "is more than %d", MaxWorkersInterviewed)
	case len(in.Orders) > MaxInspectionOrders:
		return FieldError("orders", "at most %d orders", MaxInspectionOrders)
	case len(in.AssessmentIDs) > MaxLinkedScreenings:
		return FieldError("assessment_ids", "at most %d screenings", MaxLinkedScreenings)
	}
	in.VisitedOn = DateOf(in.VisitedOn)
	for _, n := range in.InspectorNames {
		if utf8.RuneCountInString(n) > MaxNameLength {
			return FieldError("inspector_names", "a name is longer than %d characters", MaxNameLength)
		}
	}
	for _, o := range in.Orders {
		if utf8.RuneCountInString(o) > MaxNameLength*2 {
			return FieldError("orders", "an order is longer than %d characters", MaxNameLength*2)
		}
	}
	return nil
}

// cleanLines cleans each line and drops the empty ones; never nil, so JSON
// clients get [] rather than null.
func cleanLines(in []string) []string {
	out := []string{}
	for _, s := range in {
		if s = CleanLine(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// uniqueIDs trims ids and drops empty and repeated ones, keeping the
// order; never nil.
func uniqueIDs(in []string) []string {
	out := []string{}
	for _, s := range in {
		s = CleanLine(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// InspectionService records the inspections of cases. Every method acts
// for the Actor in ctx, with the access the policy gives to the case; every
// read and write is audited.
type InspectionService interface {
	// CreateInspection validates and stores an inspection, setting its ID,
	// Version, AgencyID, RecordedBy and timestamps. The worksite, the
	// inspectors and the screenings must belong to the case (and the
	// inspectors to the recording agency): EINVALID naming the field if
	// not.
	CreateInspection(ctx context.Context, in *Inspection) error
	// Inspection returns one inspection, findings unsealed.
	Inspection(ctx context.Context, id string) (*Inspection, error)
	// Inspections returns the inspections of a case, newest visit first.
	Inspections(ctx context.Context, caseID string) ([]*Inspection, error)
}
