package screening

import (
	"slices"
	"sort"
)

// VersionICLS2018 names the rule set of shared/domain/screening.md, "Rules
// (version ICLS-2018)": the statistical definition of forced labour of the
// 20th International Conference of Labour Statisticians (2018), the ILO
// indicators of forced labour (2012) and the Palermo Protocol (2000), Art. 3.
const VersionICLS2018 = "ICLS-2018"

// adultAge is the age from which the adult rule applies. A child is a person
// under 18 (ICLS 2018 guidelines on forced labour of children; Palermo
// Protocol Art. 3(d); UN Convention on the Rights of the Child, Art. 1).
const adultAge = 18

// icls2018 is the rule set "ICLS-2018". It is frozen: a change of rules is a
// new rule set with a new version.
type icls2018 struct{}

// Version implements RuleSet.
func (icls2018) Version() string { return VersionICLS2018 }

// Questions implements RuleSet.
func (icls2018) Questions() []Question { return icls2018Questions() }

// Screen implements RuleSet.
func (icls2018) Screen(in Input, cfg Config) (Result, error) {
	if err := in.Validate(); err != nil {
		return Result{}, err
	}
	res := Result{Rule: VersionICLS2018, ChildGrounds: []ChildGround{}}
	res.AgeBasis = ageBasis(in, cfg)
	res.Child = res.AgeBasis == AgeChild || res.AgeBasis == AgePresumedMinor

	included, excluded := inPeriod(in)
	res.Excluded = excluded
	res.Episodes = screenEpisodes(included, res.Child)
	if res.Child {
		res.ChildGrounds = childGrounds(in)
	}
	res.Result = personOutcome(res, len(included))
	res.Trafficking = screenTrafficking(in.Trafficking, res.Child, res.Result == Met)
	res.Explanation = explain(in, res)
	return res, nil
}

// ageBasis chooses between the adult rule (rule 2) and the child rule
// (rule 3): by the age at the time of the work when known; when unknown, the
// child rule applies if there are signs the person may be a minor and the
// presumption is on (rule 3, "configurable, on by default").
func ageBasis(in Input, cfg Config) AgeBasis {
	switch {
	case in.Age != nil && *in.Age >= adultAge:
		return AgeAdult
	case in.Age != nil:
		return AgeChild
	case in.MayBeMinor && cfg.PresumeMinor:
		return AgePresumedMinor
	case in.MayBeMinor:
		return AgeUnknownNoPresumption
	default:
		return AgeUnknown
	}
}

// inPeriod splits the observations into those in the reference period and
// those outside it (rule 1: observations dated outside the reference period
// are excluded and listed). Both ends of the period are included.
func inPeriod(in Input) (included []ObservationRef, excluded []ExcludedObservation) {
	excluded = []ExcludedObservation{}
	for i, o := range in.Observations {
		ref := refOf(i, o)
		switch {
		case in.Period == nil || in.Period.Contains(o.On):
			included = append(included, ref)
		case o.On.Compare(in.Period.Start) < 0:
			excluded = append(excluded, ExcludedObservation{ObservationRef: ref, Reason: ExcludedBeforePeriod})
		default:
			excluded = append(excluded, ExcludedObservation{ObservationRef: ref, Reason: ExcludedAfterPeriod})
		}
	}
	return included, excluded
}

func refOf(i int, o Observation) ObservationRef {
	return ObservationRef{
		Index:       i,
		Episode:     o.Episode,
		On:          o.On,
		Element:     o.RecordedElement(),
		Indicator:   o.Indicator,
		Perpetrator: o.Perpetrator,
		Stage:       o.Stage,
		Mode:        o.Mode,
		Evidence:    o.Evidence,
	}
}

// screenEpisodes judges every episode on its own observations only: "elements
// from different episodes never combine" (rule 2). Episodes come out sorted
// by identifier.
func screenEpisodes(included []ObservationRef, child bool) []EpisodeResult {
	byEpisode := map[string][]ObservationRef{}
	for _, r := range included {
		byEpisode[r.Episode] = append(byEpisode[r.Episode], r)
	}
	ids := make([]string, 0, len(byEpisode))
	for id := range byEpisode {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	episodes := make([]EpisodeResult, 0, len(ids))
	for _, id := range ids {
		if child {
			episodes = append(episodes, screenChildEpisode(id, byEpisode[id]))
		} else {
			episodes = append(episodes, screenAdultEpisode(id, byEpisode[id]))
		}
	}
	return episodes
}

// screenAdultEpisode applies rule 2: an episode of an adult is met when it
// has at least one involuntariness element and at least one coercion element
// (ICLS 2018: work that is both involuntary and under threat or menace of a
// penalty). Coercion witnessed on co-workers counts because it is "in
// connection with involuntary work", which the same episode must show.
func screenAdultEpisode(id string, refs []ObservationRef) EpisodeResult {
	var involuntary, coerced []ObservationRef
	for _, r := range refs {
		switch r.Element.Kind() {
		case Involuntariness:
			involuntary = append(involuntary, r)
		case Coercion:
			coerced = append(coerced, r)
		}
	}
	ep := EpisodeResult{Episode: id, Elements: distinctElements(refs), Decisive: []ObservationRef{}}
	switch {
	case len(involuntary) > 0 && len(coerced) > 0:
		ep.Result = Met
		ep.Decisive = sortRefs(append(involuntary, coerced...))
	case len(coerced) == 0:
		ep.Result, ep.Reason = Possible, ReasonNoCoercion
	default:
		ep.Result, ep.Reason = Possible, ReasonNoInvoluntariness
	}
	return ep
}

// screenChildEpisode applies rule 3 (i): a child's episode is met when a
// coercion element was applied by a perpetrator other than a parent, to the
// child or to a parent (ICLS 2018, forced labour of children). No
// involuntariness element is needed, and a parent's coercion alone does not
// count.
func screenChildEpisode(id string, refs []ObservationRef) EpisodeResult {
	var decisive []ObservationRef
	byParent := false
	for _, r := range refs {
		if r.Element.Kind() != Coercion {
			continue
		}
		if r.Perpetrator == RoleParent {
			byParent = true
			continue
		}
		decisive = append(decisive, r)
	}
	ep := EpisodeResult{Episode: id, Elements: distinctElements(refs), Decisive: []ObservationRef{}}
	switch {
	case len(decisive) > 0:
		ep.Result = Met
		ep.Decisive = sortRefs(decisive)
	case byParent:
		ep.Result, ep.Reason = Possible, ReasonChildCoercionByParent
	default:
		ep.Result, ep.Reason = Possible, ReasonChildNoCoercion
	}
	return ep
}

// childGrounds applies rule 3 (ii) and (iii): a parent in forced labour in
// connection with the child's work, or a worst form of child labour (ILO
// Convention No. 182, Art. 3(a)–(c)), meets the child rule on its own.
func childGrounds(in Input) []ChildGround {
	grounds := []ChildGround{}
	if in.ParentInForcedLabour {
		grounds = append(grounds, GroundParentInForcedLabour)
	}
	for _, w := range in.WorstForms.Recorded() {
		grounds = append(grounds, worstFormGround(w))
	}
	return grounds
}

func worstFormGround(w WorstForm) ChildGround {
	switch w {
	case WorstFormSlavery:
		return GroundSlavery
	case WorstFormCommercialSexualExploitation:
		return GroundCommercialSexualExploitation
	default:
		return GroundIllicitActivities
	}
}

// personOutcome applies rule 4: met if any episode is met (or, for a child,
// a person-level ground holds); possible if anything was recorded in the
// period; otherwise not met.
func personOutcome(res Result, included int) Outcome {
	if len(res.ChildGrounds) > 0 {
		return Met
	}
	for _, ep := range res.Episodes {
		if ep.Result == Met {
			return Met
		}
	}
	if included > 0 {
		return Possible
	}
	return NotMet
}

// screenTrafficking applies rule 5 (Palermo Protocol, Art. 3): trafficking
// is flagged when an act, a means and an exploitative purpose are all
// recorded; for a child the means are not required (Art. 3(c)); a met
// forced-labour result supplies the purpose.
func screenTrafficking(t TraffickingElements, child, forcedLabourMet bool) TraffickingResult {
	tr := TraffickingResult{
		MeansRequired:           !child,
		PurposeFromForcedLabour: forcedLabourMet,
		Acts:                    inOrder(t.Acts, Acts()),
		Means:                   inOrder(t.Means, AllMeans()),
		Purposes:                inOrder(t.Purposes, Purposes()),
		Missing:                 []string{},
	}
	if len(tr.Acts) == 0 {
		tr.Missing = append(tr.Missing, "act")
	}
	if tr.MeansRequired && len(tr.Means) == 0 {
		tr.Missing = append(tr.Missing, "means")
	}
	if len(tr.Purposes) == 0 && !forcedLabourMet {
		tr.Missing = append(tr.Missing, "purpose")
	}
	tr.Flagged = len(tr.Missing) == 0
	return tr
}

// distinctElements lists the elements of refs once each, in the order of
// Elements.
func distinctElements(refs []ObservationRef) []Element {
	recorded := make([]Element, len(refs))
	for i, r := range refs {
		recorded[i] = r.Element
	}
	return inOrder(recorded, Elements())
}

// inOrder returns the members of order present in recorded, once each and in
// the order of order; never nil.
func inOrder[T comparable](recorded, order []T) []T {
	out := []T{}
	for _, c := range order {
		if slices.Contains(recorded, c) {
			out = append(out, c)
		}
	}
	return out
}

// sortRefs orders observations by element (as in Elements), then day, then
// input position, so that the result does not depend on input order beyond
// the index it reports.
func sortRefs(refs []ObservationRef) []ObservationRef {
	slices.SortStableFunc(refs, func(a, b ObservationRef) int {
		if d := a.Element.rank() - b.Element.rank(); d != 0 {
			return d
		}
		if d := a.On.Compare(b.On); d != 0 {
			return d
		}
		return a.Index - b.Index
	})
	return refs
}
