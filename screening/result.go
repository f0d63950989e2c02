package screening

// Outcome is the finding of a screening, for a person or for one episode.
type Outcome string

// Outcomes (shared/domain/screening.md, rule 4).
const (
	// Met: the definition of forced labour is met.
	Met Outcome = "met"
	// Possible: elements were recorded in the period but do not meet it.
	Possible Outcome = "possible"
	// NotMet: nothing was recorded in the period.
	NotMet Outcome = "not_met"
)

// AgeBasis says why the adult or the child rule was applied.
type AgeBasis string

// Bases for choosing the adult or the child rule (rule 3).
const (
	AgeAdult                AgeBasis = "adult_by_age"               // age known, 18 or over
	AgeChild                AgeBasis = "child_by_age"               // age known, under 18
	AgePresumedMinor        AgeBasis = "presumed_minor"             // age unknown, may be a minor
	AgeUnknown              AgeBasis = "age_unknown"                // age unknown, no sign of a minor
	AgeUnknownNoPresumption AgeBasis = "age_unknown_no_presumption" // signs of a minor, presumption switched off
)

// Reason says why an episode with recorded elements is not met.
type Reason string

// Reasons an episode is only possible.
const (
	ReasonNoCoercion            Reason = "no_coercion"
	ReasonNoInvoluntariness     Reason = "no_involuntariness"
	ReasonChildNoCoercion       Reason = "child_no_coercion"
	ReasonChildCoercionByParent Reason = "child_coercion_by_parent_only"
)

// ChildGround is a person-level reason the child rule is met, beyond the
// coercion recorded in an episode (rule 3 (ii) and (iii)).
type ChildGround string

// Person-level grounds of the child rule.
const (
	GroundParentInForcedLabour         ChildGround = "parent_in_forced_labour"
	GroundSlavery                      ChildGround = "worst_form_slavery"
	GroundCommercialSexualExploitation ChildGround = "worst_form_commercial_sexual_exploitation"
	GroundIllicitActivities            ChildGround = "worst_form_illicit_activities"
)

// Result is the finding of one screening. Every list is sorted and never
// nil, so that its JSON form is the same for the same input.
type Result struct {
	// Rule is the version of the rule set the screening was made under.
	Rule string `json:"rule"`
	// Result is the person's finding.
	Result Outcome `json:"result"`
	// Child reports whether the child rule applied.
	Child bool `json:"child"`
	// AgeBasis says why the child or the adult rule applied.
	AgeBasis AgeBasis `json:"age_basis"`
	// ChildGrounds lists the person-level grounds that met the child rule.
	ChildGrounds []ChildGround `json:"child_grounds"`
	// Trafficking is the trafficking flag and what it rests on.
	Trafficking TraffickingResult `json:"trafficking"`
	// Episodes has one entry per episode with an observation in the period,
	// sorted by episode identifier.
	Episodes []EpisodeResult `json:"episodes"`
	// Excluded lists the observations outside the reference period, in
	// input order.
	Excluded []ExcludedObservation `json:"excluded"`
	// Explanation says in translatable messages how the result came about.
	Explanation []Message `json:"explanation"`
}

// EpisodeResult is the finding for one episode.
type EpisodeResult struct {
	Episode string  `json:"episode"`
	Result  Outcome `json:"result"`
	// Elements lists every element recorded for the episode in the period,
	// once each, in the order of Elements. Statistics count these.
	Elements []Element `json:"elements"`
	// Decisive lists the observations that made the episode met; empty
	// when it is not.
	Decisive []ObservationRef `json:"decisive"`
	// Reason says why a possible episode is not met; empty when met.
	Reason Reason `json:"reason,omitempty"`
}

// ObservationRef is an observation as the result reports it: its position
// in the input and what it recorded.
type ObservationRef struct {
	Index       int       `json:"index"`
	Episode     string    `json:"episode"`
	On          Date      `json:"on"`
	Element     Element   `json:"element"`
	Indicator   Indicator `json:"indicator,omitempty"`
	Perpetrator Role      `json:"perpetrator"`
	Stage       Stage     `json:"stage"`
	Mode        Mode      `json:"mode,omitempty"`
	Evidence    *Evidence `json:"evidence,omitempty"`
}

// ExcludedObservation is an observation left out of the screening.
type ExcludedObservation struct {
	ObservationRef
	// Reason is "before_period" or "after_period".
	Reason string `json:"reason"`
}

// Reasons an observation is excluded (rule 1).
const (
	ExcludedBeforePeriod = "before_period"
	ExcludedAfterPeriod  = "after_period"
)

// TraffickingResult is the trafficking flag (Palermo Protocol, Art. 3).
type TraffickingResult struct {
	// Flagged is true when act, means (unless a child) and purpose are all
	// recorded.
	Flagged bool `json:"flagged"`
	// MeansRequired is false for a child (Art. 3(c)).
	MeansRequired bool `json:"means_required"`
	// PurposeFromForcedLabour is true when a met forced-labour result
	// supplies the exploitative purpose.
	PurposeFromForcedLabour bool `json:"purpose_from_forced_labour"`
	// Acts, Means and Purposes are the recorded elements, once each, in the
	// order of Art. 3(a).
	Acts     []Act     `json:"acts"`
	Means    []Means   `json:"means"`
	Purposes []Purpose `json:"purposes"`
	// Missing names the components not recorded: "act", "means", "purpose".
	Missing []string `json:"missing"`
}
