package html

import "github.com/flare-ilo/flare"

// ScreeningFormView is the screening interview of one person (issue #7):
// plain questions, each with the details that make it an observation.
type ScreeningFormView struct {
	Page
	PersonID, CaseID string
	// PersonLabel names the person as the user may see them.
	PersonLabel string
	// Today prefills the dates of answers.
	Today                                    string
	PeriodStart, PeriodEnd, Age, Interpreter string
	MayBeMinor, ParentInForcedLabour         bool
	Signs                                    []ScreeningQuestion
	WorstForms, Acts, Means, Purposes        []ScreeningFlag
	Roles, Stages, Modes, EvidenceKinds      []string
	// ErrorMessage explains a refused answer; ErrorQuestion is the
	// question it belongs to (catalogue key), if any.
	ErrorMessage, ErrorQuestion string
}

// ScreeningQuestion is one sign asked about, with its answer as typed.
type ScreeningQuestion struct {
	N                                                    int    // the question's number in the rule set's list: the form field prefix
	Key                                                  string // catalogue key of the question
	Coercion                                             bool   // a coercion element, which asks how it happened (mode)
	Yes                                                  bool
	Episode, On, Perpetrator, Stage, Mode, Evidence, Ref string
}

// ScreeningFlag is a yes/no question that sets a code.
type ScreeningFlag struct {
	Name, Value, Key string
	Checked          bool
}

// AssessmentView is the result of one screening with its explanation.
type AssessmentView struct {
	Page
	Assessment *flare.Assessment
	// Explanation is the result's explanation in the page's language.
	Explanation []string
	// Elements names, per episode, the elements recorded.
	Episodes []AssessmentEpisode
	// CanPresume offers to record the person as a presumed victim: the
	// result is met and the person is not yet presumed or identified.
	CanPresume    bool
	PersonVersion int64
	AssessedByMe  bool
}

// AssessmentEpisode is one episode of a result.
type AssessmentEpisode struct {
	Episode, Result string
	Elements        []string
}

// AssessmentLine is one screening in a person's history.
type AssessmentLine struct {
	ID, Rule, Result string
	At               string
}
