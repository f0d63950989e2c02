package screening

import (
	"slices"
	"strconv"
)

// Message keys of explanations. Their English texts are in English(); other
// languages translate the same keys.
const (
	keyRule                   = "screening.explain.rule"
	keyAgeAdult               = "screening.explain.age_adult"
	keyAgeChild               = "screening.explain.age_child"
	keyAgePresumedMinor       = "screening.explain.age_presumed_minor"
	keyAgeUnknown             = "screening.explain.age_unknown"
	keyAgeUnknownNoPresume    = "screening.explain.age_unknown_no_presumption"
	keyAgeOverridesSigns      = "screening.explain.age_overrides_signs_of_minor"
	keyPeriod                 = "screening.explain.period"
	keyNoPeriod               = "screening.explain.no_period"
	keyExcluded               = "screening.explain.excluded"
	keyEpisodeMetAdult        = "screening.explain.episode_met_adult"
	keyEpisodeMetChild        = "screening.explain.episode_met_child"
	keyEpisodeNoCoercion      = "screening.explain.episode_no_coercion"
	keyEpisodeNoInvoluntary   = "screening.explain.episode_no_involuntariness"
	keyEpisodeChildNoCoercion = "screening.explain.episode_child_no_coercion"
	keyEpisodeChildByParent   = "screening.explain.episode_child_coercion_by_parent_only"
	keyDecisive               = "screening.explain.decisive"
	keyDecisiveCoercion       = "screening.explain.decisive_coercion"
	keyEvidence               = "screening.explain.evidence"
	keyEvidenceNoRef          = "screening.explain.evidence_no_ref"
	keyNoEvidence             = "screening.explain.no_evidence"
	keyChildParent            = "screening.explain.child_parent_in_forced_labour"
	keyChildWorstForm         = "screening.explain.child_worst_form"
	keyAdultParentIgnored     = "screening.explain.adult_parent_not_used"
	keyAdultWorstFormIgnored  = "screening.explain.adult_worst_form_not_used"
	keyEpisodesApart          = "screening.explain.episodes_do_not_combine"
	keyAdultMet               = "screening.explain.adult_met"
	keyChildMet               = "screening.explain.child_met"
	keyPossible               = "screening.explain.possible"
	keyNotMet                 = "screening.explain.not_met"
	keyTraffickingFlagged     = "screening.explain.trafficking_flagged"
	keyTraffickingChild       = "screening.explain.trafficking_flagged_child"
	keyTraffickingPurposeFL   = "screening.explain.trafficking_purpose_from_forced_labour"
	keyTraffickingNotFlagged  = "screening.explain.trafficking_not_flagged"
	keyTraffickingNone        = "screening.explain.trafficking_none"
	keyAidNotDecision         = "screening.explain.aid_not_decision"
)

// explain writes the explanation of res in messages, in the order a reader
// needs them: which rules applied, what was left out, each episode and the
// observations that decided it with their evidence, the finding, the
// trafficking flag, and what the finding is not (rule 6).
func explain(in Input, res Result) []Message {
	ms := []Message{msg(keyRule, "rule", res.Rule)}
	ms = append(ms, explainAge(in, res.AgeBasis))
	if res.AgeBasis == AgeAdult && in.MayBeMinor {
		// Rule 3 presumes minority only when the age is unknown; the officer
		// who saw signs of a minor should know the stated age overrode them.
		ms = append(ms, msg(keyAgeOverridesSigns))
	}
	if p := in.Period; p != nil {
		ms = append(ms, msg(keyPeriod, "start", p.Start.String(), "end", p.End.String()))
	} else {
		ms = append(ms, msg(keyNoPeriod))
	}
	for _, x := range res.Excluded {
		ms = append(ms, msg(keyExcluded, "episode", x.Episode, "element", string(x.Element), "on", x.On.String()))
	}
	for _, ep := range res.Episodes {
		ms = append(ms, explainEpisode(ep, res.Child)...)
	}
	ms = append(ms, explainPersonGrounds(in, res.Child)...)
	if !res.Child && res.Result == Possible && combinedWouldMeet(res.Episodes) {
		ms = append(ms, msg(keyEpisodesApart))
	}
	ms = append(ms, explainOutcome(res))
	ms = append(ms, explainTrafficking(res.Trafficking)...)
	return append(ms, msg(keyAidNotDecision))
}

func explainAge(in Input, basis AgeBasis) Message {
	switch basis {
	case AgeAdult:
		return msg(keyAgeAdult, "age", formatAge(*in.Age))
	case AgeChild:
		return msg(keyAgeChild, "age", formatAge(*in.Age))
	case AgePresumedMinor:
		return msg(keyAgePresumedMinor)
	case AgeUnknownNoPresumption:
		return msg(keyAgeUnknownNoPresume)
	default:
		return msg(keyAgeUnknown)
	}
}

func formatAge(age float64) string {
	return strconv.FormatFloat(age, 'f', -1, 64)
}

func explainEpisode(ep EpisodeResult, child bool) []Message {
	var head Message
	switch {
	case ep.Result == Met && child:
		head = msg(keyEpisodeMetChild, "episode", ep.Episode, "coercion", joinCodes(kindOf(ep.Decisive, Coercion)))
	case ep.Result == Met:
		head = msg(keyEpisodeMetAdult, "episode", ep.Episode,
			"involuntariness", joinCodes(kindOf(ep.Decisive, Involuntariness)),
			"coercion", joinCodes(kindOf(ep.Decisive, Coercion)))
	default:
		head = msg(reasonKey(ep.Reason), "episode", ep.Episode, "elements", joinCodes(ep.Elements))
	}
	ms := []Message{head}
	for _, r := range ep.Decisive {
		ms = append(ms, explainObservation(r)...)
	}
	return ms
}

func reasonKey(r Reason) string {
	switch r {
	case ReasonNoCoercion:
		return keyEpisodeNoCoercion
	case ReasonNoInvoluntariness:
		return keyEpisodeNoInvoluntary
	case ReasonChildCoercionByParent:
		return keyEpisodeChildByParent
	default:
		return keyEpisodeChildNoCoercion
	}
}

// explainObservation states one decisive observation and its evidence.
func explainObservation(r ObservationRef) []Message {
	args := []string{"element", string(r.Element), "on", r.On.String(),
		"stage", string(r.Stage), "perpetrator", string(r.Perpetrator)}
	key := keyDecisive
	if r.Mode != "" {
		key = keyDecisiveCoercion
		args = append(args, "mode", string(r.Mode))
	}
	ms := []Message{msg(key, args...)}
	switch e := r.Evidence; {
	case e == nil:
		ms = append(ms, msg(keyNoEvidence))
	case e.Ref == "":
		ms = append(ms, msg(keyEvidenceNoRef, "evidence_kind", string(e.Kind)))
	default:
		ms = append(ms, msg(keyEvidence, "evidence_kind", string(e.Kind), "ref", e.Ref))
	}
	return ms
}

// explainPersonGrounds states the child rule's person-level grounds, or
// that they were recorded for an adult and not used.
func explainPersonGrounds(in Input, child bool) []Message {
	var ms []Message
	if in.ParentInForcedLabour {
		if child {
			ms = append(ms, msg(keyChildParent))
		} else {
			ms = append(ms, msg(keyAdultParentIgnored))
		}
	}
	for _, w := range in.WorstForms.Recorded() {
		if child {
			ms = append(ms, msg(keyChildWorstForm, "worst_form", string(w)))
		} else {
			ms = append(ms, msg(keyAdultWorstFormIgnored, "worst_form", string(w)))
		}
	}
	return ms
}

// combinedWouldMeet reports whether the episodes together hold both kinds of
// element although none holds both: the case where rule 2's "elements from
// different episodes never combine" decides, which the reader should be told.
func combinedWouldMeet(episodes []EpisodeResult) bool {
	var inv, coer bool
	for _, ep := range episodes {
		for _, e := range ep.Elements {
			inv = inv || e.Kind() == Involuntariness
			coer = coer || e.Kind() == Coercion
		}
	}
	return inv && coer
}

func explainOutcome(res Result) Message {
	switch {
	case res.Result == Met && res.Child:
		return msg(keyChildMet)
	case res.Result == Met:
		return msg(keyAdultMet)
	case res.Result == Possible:
		return msg(keyPossible)
	default:
		return msg(keyNotMet)
	}
}

func explainTrafficking(t TraffickingResult) []Message {
	purposes := t.Purposes
	if t.PurposeFromForcedLabour && !slices.Contains(purposes, PurposeForcedLabour) {
		purposes = append(append([]Purpose{}, purposes...), PurposeForcedLabour)
		purposes = inOrder(purposes, Purposes())
	}
	switch {
	case t.Flagged && t.MeansRequired:
		ms := []Message{msg(keyTraffickingFlagged, "acts", joinCodes(t.Acts), "means", joinCodes(t.Means), "purposes", joinCodes(purposes))}
		return appendPurposeNote(ms, t)
	case t.Flagged:
		ms := []Message{msg(keyTraffickingChild, "acts", joinCodes(t.Acts), "purposes", joinCodes(purposes))}
		return appendPurposeNote(ms, t)
	case len(t.Acts) == 0 && len(t.Means) == 0 && len(t.Purposes) == 0:
		return []Message{msg(keyTraffickingNone)}
	default:
		return []Message{msg(keyTraffickingNotFlagged, "missing", joinCodes(t.Missing))}
	}
}

// appendPurposeNote says that the forced-labour finding supplied the
// purpose, when no purpose was recorded and it did.
func appendPurposeNote(ms []Message, t TraffickingResult) []Message {
	if t.PurposeFromForcedLabour && len(t.Purposes) == 0 {
		ms = append(ms, msg(keyTraffickingPurposeFL))
	}
	return ms
}

// kindOf returns the distinct elements of one kind among refs, in order.
func kindOf(refs []ObservationRef, k Kind) []Element {
	var els []Element
	for _, r := range refs {
		if r.Element.Kind() == k {
			els = append(els, r.Element)
		}
	}
	return inOrder(els, Elements())
}
