package screening

import (
	"strings"
	"testing"
)

// TestEnglishCoversEveryCode checks that every code a message argument can
// hold has a name in the English catalogue.
func TestEnglishCoversEveryCode(t *testing.T) {
	en := English()
	var keys []string
	add := func(prefix string, codes ...string) {
		for _, c := range codes {
			keys = append(keys, prefix+c)
		}
	}
	add("screening.element.", strs(Elements())...)
	add("screening.indicator.", strs(Indicators())...)
	add("screening.role.", strs(Roles())...)
	add("screening.stage.", strs(Stages())...)
	add("screening.mode.", strs(Modes())...)
	add("screening.evidence.", strs(EvidenceKinds())...)
	add("screening.worst_form.", strs([]WorstForm{WorstFormSlavery, WorstFormCommercialSexualExploitation, WorstFormIllicitActivities})...)
	add("screening.act.", strs(Acts())...)
	add("screening.means.", strs(AllMeans())...)
	add("screening.purpose.", strs(Purposes())...)
	add("screening.trafficking.missing.", "act", "means", "purpose")
	for _, k := range keys {
		if strings.TrimSpace(en[k]) == "" {
			t.Errorf("English has no text for %s", k)
		}
	}
}

// TestEnglishCoversEveryExplanation screens every golden case and a few
// more and checks that each message key and each placeholder has English.
func TestEnglishCoversEveryExplanation(t *testing.T) {
	r, _ := Rules(LatestVersion)
	inputs := []Input{
		{MayBeMinor: true},
		{Age: age(20), MayBeMinor: true, ParentInForcedLabour: true, WorstForms: WorstForms{true, true, true}},
		{MayBeMinor: false, Trafficking: TraffickingElements{Acts: []Act{ActReceipt}}},
		{Age: age(10), ParentInForcedLabour: true},
		{Age: age(5), Observations: []Observation{inv("A", "2025-01-01", I4)}},
	}
	for _, name := range goldenCases(t) {
		in, err := DecodeInput(readFile(t, name+".input.json"))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, in)
	}
	en := English()
	seen := map[string]bool{}
	for _, cfg := range []Config{{PresumeMinor: true}, {PresumeMinor: false}} {
		for _, in := range inputs {
			res, err := r.Screen(in, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range res.Explanation {
				seen[m.Key] = true
				text, ok := en[m.Key]
				if !ok {
					t.Errorf("English has no text for %s", m.Key)
					continue
				}
				for name := range m.Args {
					if !strings.Contains(text, "{"+name+"}") {
						t.Errorf("English text of %s does not show argument %s", m.Key, name)
					}
				}
				if rendered := en.Render(m); strings.Contains(rendered, "{") {
					t.Errorf("%s renders with an unfilled placeholder: %s", m.Key, rendered)
				}
			}
		}
	}
	// Every explanation key in the catalogue is reachable: a key no input
	// produces is dead text that translators would translate for nothing.
	for k := range en {
		if strings.HasPrefix(k, "screening.explain.") && !seen[k] {
			t.Errorf("explanation %s is never produced by the test inputs", k)
		}
	}
}

func TestRenderTranslatesCodesAndKeepsUnknownKeys(t *testing.T) {
	c := Catalogue{
		"k":                    "{who} saw {elements} in {episode}.",
		"screening.element.C1": "threats",
		"screening.element.C2": "confinement",
	}
	tests := []struct {
		m    Message
		want string
	}{
		{msg("k", "who", "Ana", "elements", "C1,C2", "episode", "{who}"), "Ana saw threats; confinement in {who}."},
		{msg("k", "who", "Ana", "elements", "C9", "episode", "E"), "Ana saw C9 in E."},
		{msg("missing.key"), "missing.key"},
	}
	for _, tt := range tests {
		if got := c.Render(tt.m); got != tt.want {
			t.Errorf("Render(%v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}

func strs[T ~string](codes []T) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}
