package flare

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/flare-ilo/flare/screening"
)

// Assessment is one screening of a person in a case against the ILO
// indicators of forced labour (issue #7): the answers given, the rule set
// they were screened under, its result with the explanation, who assessed
// and when. Assessments are never changed: re-screening (for instance under
// a later rule set) adds another, and both stay (shared/domain/screening.md:
// "re-screening under a new version keeps both").
type Assessment struct {
	ID       string `json:"id"`
	CaseID   string `json:"case_id"`
	PersonID string `json:"person_id"`
	// AgencyID is the agency of the user who assessed.
	AgencyID string `json:"agency_id"`
	// Rule is the version of the screening rule set, e.g. "ICLS-2018".
	Rule string `json:"rule"`
	// Input is what the interview recorded; Result what the engine found.
	Input  screening.Input  `json:"-"`
	Result screening.Result `json:"result"`
	// Interpreter names the interpreter and language used, if any; it is
	// sealed with the answers.
	Interpreter string    `json:"interpreter,omitempty"`
	AssessedBy  string    `json:"assessed_by"`
	AssessedAt  time.Time `json:"assessed_at"`
}

// maxInterpreter bounds the interpreter line.
const maxInterpreter = 200

// Validate checks the parts of an assessment the engine does not.
func (a *Assessment) Validate() error {
	a.Interpreter = CleanLine(a.Interpreter)
	switch {
	case a.PersonID == "":
		return FieldError("person_id", "is required")
	case utf8.RuneCountInString(a.Interpreter) > maxInterpreter:
		return FieldError("interpreter", "is longer than %d characters", maxInterpreter)
	}
	if a.Rule == "" {
		a.Rule = screening.LatestVersion
	}
	if _, ok := screening.Rules(a.Rule); !ok {
		return FieldError("rule", "%q is not a screening rule set; known: %v", a.Rule, screening.Versions())
	}
	return nil
}

// AssessmentService screens people and keeps their assessments. Every
// method acts for the Actor in ctx, under the same access as the person.
type AssessmentService interface {
	// Screen runs the rule set a.Rule (the latest when empty) on a.Input
	// for person a.PersonID, stores the assessment and fills a in. An input
	// the engine refuses is EINVALID naming the field, and stores nothing.
	Screen(ctx context.Context, a *Assessment) error
	// Assessment returns one assessment.
	Assessment(ctx context.Context, id string) (*Assessment, error)
	// PersonAssessments returns a person's assessments, newest first.
	PersonAssessments(ctx context.Context, personID string) ([]*Assessment, error)
}
