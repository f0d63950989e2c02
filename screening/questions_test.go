package screening

import (
	"slices"
	"strings"
	"testing"
)

// TestQuestionsCoverTheRules checks that the interview can record every
// element, every indicator, every child ground and every trafficking code,
// and that each question has English text.
func TestQuestionsCoverTheRules(t *testing.T) {
	r, _ := Rules(VersionICLS2018)
	qs := r.Questions()
	en := English()
	elements := map[Element]bool{}
	indicators := map[Indicator]bool{}
	values := map[string]map[string]bool{}
	fields := map[string]bool{}
	keys := map[string]bool{}
	for _, q := range qs {
		if keys[q.Key] {
			t.Errorf("question %s appears twice", q.Key)
		}
		keys[q.Key] = true
		if !strings.HasPrefix(q.Key, "screening.question.") || strings.TrimSpace(en[q.Key]) == "" {
			t.Errorf("question %s has no English text", q.Key)
		}
		fields[q.Field] = true
		if q.Field == FieldObservations {
			if !q.Element.Valid() {
				t.Errorf("question %s records unknown element %q", q.Key, q.Element)
			}
			if q.Indicator != "" && !q.Indicator.Valid() {
				t.Errorf("question %s names unknown indicator %q", q.Key, q.Indicator)
			}
			elements[q.Element] = true
			indicators[q.Indicator] = true
		} else if q.Element != "" || q.Indicator != "" {
			t.Errorf("question %s fills %s but names an element or indicator", q.Key, q.Field)
		}
		if q.Value != "" {
			if values[q.Field] == nil {
				values[q.Field] = map[string]bool{}
			}
			values[q.Field][q.Value] = true
		}
	}
	for _, e := range Elements() {
		if !elements[e] {
			t.Errorf("no question records element %s", e)
		}
	}
	for _, i := range Indicators() {
		if !indicators[i] {
			t.Errorf("no question records indicator %s", i)
		}
	}
	wantValues := map[string][]string{
		FieldWorstForms:          {string(WorstFormSlavery), string(WorstFormCommercialSexualExploitation), string(WorstFormIllicitActivities)},
		FieldTraffickingActs:     strs(Acts()),
		FieldTraffickingMeans:    strs(AllMeans()),
		FieldTraffickingPurposes: strs(Purposes()),
	}
	for field, want := range wantValues {
		for _, v := range want {
			if !values[field][v] {
				t.Errorf("no question fills %s with %s", field, v)
			}
		}
		for v := range values[field] {
			if !slices.Contains(want, v) {
				t.Errorf("a question fills %s with unknown code %s", field, v)
			}
		}
	}
	for _, f := range []string{FieldReferencePeriod, FieldAge, FieldMayBeMinor, FieldParentInForcedLabour,
		FieldObservationEpisode, FieldObservationOn, FieldObservationPerp, FieldObservationStage,
		FieldObservationMode, FieldObservationEvidence} {
		if !fields[f] {
			t.Errorf("no question fills %s", f)
		}
	}
}
