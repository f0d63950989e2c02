package screening

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeInput(t *testing.T) {
	doc := `{
	  "reference_period": {"start": "2025-01-01", "end": "2025-12-31"},
	  "age": 17.5,
	  "may_be_minor": true,
	  "observations": [
	    {"episode": "farm", "on": "2025-03-01", "indicator": "deception", "perpetrator": "recruiter", "stage": "recruitment",
	     "evidence": {"kind": "statement", "ref": "interview 12"}},
	    {"episode": 2, "on": "2025-03-02", "element": "C5", "indicator": "retention_of_documents", "perpetrator": "employer",
	     "stage": "employment", "mode": "experienced", "evidence": null}
	  ],
	  "parent_in_forced_labour": false,
	  "worst_forms": {"slavery": false, "commercial_sexual_exploitation": true, "illicit_activities": null},
	  "trafficking": {"acts": ["recruitment"], "means": [], "purposes": ["forced_labour", "slavery"]}
	}`
	got, err := DecodeInput([]byte(doc))
	if err != nil {
		t.Fatalf("DecodeInput: %v", err)
	}
	want := Input{
		Period:     &Period{Start: day("2025-01-01"), End: day("2025-12-31")},
		Age:        age(17.5),
		MayBeMinor: true,
		Observations: []Observation{
			{Episode: "farm", On: day("2025-03-01"), Indicator: Deception, Perpetrator: RoleRecruiter, Stage: StageRecruitment,
				Evidence: &Evidence{Kind: EvidenceStatement, Ref: "interview 12"}},
			{Episode: "2", On: day("2025-03-02"), Element: C5, Indicator: RetentionOfDocuments, Perpetrator: RoleEmployer,
				Stage: StageEmployment, Mode: ModeExperienced},
		},
		WorstForms:  WorstForms{CommercialSexualExploitation: true},
		Trafficking: TraffickingElements{Acts: []Act{ActRecruitment}, Means: []Means{}, Purposes: []Purpose{PurposeForcedLabour, PurposeSlavery}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeInput =\n%+v\nwant\n%+v", got, want)
	}
}

func TestDecodeInputMinimal(t *testing.T) {
	for _, doc := range []string{`{}`, ` { "age": null, "reference_period": null, "observations": null } `} {
		in, err := DecodeInput([]byte(doc))
		if err != nil {
			t.Fatalf("DecodeInput(%s): %v", doc, err)
		}
		if in.Age != nil || in.Period != nil || len(in.Observations) != 0 {
			t.Errorf("DecodeInput(%s) = %+v, want empty", doc, in)
		}
	}
}

func TestDecodeInputErrorsNameTheField(t *testing.T) {
	const ok = `"episode": "A", "on": "2025-01-01", "perpetrator": "employer", "stage": "employment"`
	tests := []struct {
		name, doc, field, contains string
	}{
		{"empty", ``, "input", "malformed JSON"},
		{"not an object", `[]`, "input", "must be a JSON object"},
		{"truncated", `{"age": 3`, "input", "malformed JSON"},
		{"syntax error", `{"age": 3,}`, "input", "malformed JSON at byte"},
		{"trailing data", `{} {}`, "input", "unexpected data"},
		{"unknown top-level key", `{"obsevations": []}`, "obsevations", "unknown field"},
		{"repeated key", `{"age": 3, "age": 4}`, "age", "given twice"},
		{"age as string", `{"age": "17"}`, "age", "number"},
		{"negative age", `{"age": -1}`, "age", "between 0"},
		{"absurd age", `{"age": 1700}`, "age", "between 0"},
		{"huge number", `{"age": 1e999}`, "age", "number"},
		{"may_be_minor as string", `{"may_be_minor": "yes"}`, "may_be_minor", "true or false"},
		{"period not an object", `{"reference_period": "2025"}`, "reference_period", "must be a JSON object"},
		{"period without end", `{"reference_period": {"start": "2025-01-01"}}`, "reference_period.end", "required"},
		{"period end before start", `{"reference_period": {"start": "2025-02-01", "end": "2025-01-31"}}`, "reference_period.end", "before the start"},
		{"impossible date", `{"reference_period": {"start": "2025-02-30", "end": "2025-03-01"}}`, "reference_period.start", "YYYY-MM-DD"},
		{"period unknown key", `{"reference_period": {"start": "2025-01-01", "end": "2025-01-02", "length": 1}}`, "reference_period.length", "unknown field"},
		{"observations not an array", `{"observations": {}}`, "observations", "array"},
		{"observation not an object", `{"observations": [1]}`, "observations[0]", "must be a JSON object"},
		{"missing episode", `{"observations": [{"on": "2025-01-01", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].episode", "required"},
		{"blank episode", `{"observations": [{"episode": " ", "on": "2025-01-01", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].episode", "required"},
		{"fractional episode", `{"observations": [{"episode": 1.5, "on": "2025-01-01", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].episode", "whole number"},
		{"control character in episode", `{"observations": [{"episode": "A\u001b[2J", "on": "2025-01-01", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].episode", "control character"},
		{"missing date", `{"observations": [{"episode": "A", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].on", "required"},
		{"bad date", `{"observations": [{` + ok[:strings.Index(ok, `"on"`)] + `"on": "01/02/2025", "element": "I1", "perpetrator": "employer", "stage": "employment"}]}`, "observations[0].on", "YYYY-MM-DD"},
		{"neither element nor indicator", `{"observations": [{` + ok + `}]}`, "observations[0].element", "element or an indicator"},
		{"unknown element", `{"observations": [{` + ok + `, "element": "I10"}]}`, "observations[0].element", `unknown code "I10"`},
		{"unknown indicator", `{"observations": [{` + ok + `, "indicator": "fraud"}]}`, "observations[0].indicator", `unknown code "fraud"`},
		{"unknown perpetrator", `{"observations": [{"episode": "A", "on": "2025-01-01", "element": "I1", "perpetrator": "boss", "stage": "employment"}]}`, "observations[0].perpetrator", `unknown code "boss"`},
		{"missing perpetrator", `{"observations": [{"episode": "A", "on": "2025-01-01", "element": "I1", "stage": "employment"}]}`, "observations[0].perpetrator", "required"},
		{"unknown stage", `{"observations": [{"episode": "A", "on": "2025-01-01", "element": "I1", "perpetrator": "employer", "stage": "after"}]}`, "observations[0].stage", `unknown code "after"`},
		{"missing stage", `{"observations": [{"episode": "A", "on": "2025-01-01", "element": "I1", "perpetrator": "employer"}]}`, "observations[0].stage", "required"},
		{"coercion without mode", `{"observations": [{` + ok + `, "element": "C1"}]}`, "observations[0].mode", "required for the coercion element C1"},
		{"indicator's coercion without mode", `{"observations": [{` + ok + `, "indicator": "debt_bondage"}]}`, "observations[0].mode", "required for the coercion element C3"},
		{"mode on involuntariness", `{"observations": [{` + ok + `, "element": "I1", "mode": "experienced"}]}`, "observations[0].mode", "coercion only"},
		{"unknown mode", `{"observations": [{` + ok + `, "element": "C1", "mode": "heard"}]}`, "observations[0].mode", `unknown code "heard"`},
		{"unknown observation key", `{"observations": [{` + ok + `, "element": "I1", "note": "x"}]}`, "observations[0].note", "unknown field"},
		{"element not a string", `{"observations": [{` + ok + `, "element": 1}]}`, "observations[0].element", "must be a string"},
		{"evidence without kind", `{"observations": [{` + ok + `, "element": "I1", "evidence": {"ref": "x"}}]}`, "observations[0].evidence.kind", "required"},
		{"unknown evidence kind", `{"observations": [{` + ok + `, "element": "I1", "evidence": {"kind": "rumour"}}]}`, "observations[0].evidence.kind", `unknown code "rumour"`},
		{"second observation at fault", `{"observations": [{` + ok + `, "element": "I1"}, {` + ok + `, "element": "X"}]}`, "observations[1].element", `unknown code "X"`},
		{"worst form unknown", `{"worst_forms": {"hazardous_work": true}}`, "worst_forms.hazardous_work", "unknown field"},
		{"worst form not a bool", `{"worst_forms": {"slavery": 1}}`, "worst_forms.slavery", "true or false"},
		{"trafficking unknown act", `{"trafficking": {"acts": ["recruitment", "selling"]}}`, "trafficking.acts[1]", `unknown code "selling"`},
		{"trafficking unknown means", `{"trafficking": {"means": ["bribe"]}}`, "trafficking.means[0]", `unknown code "bribe"`},
		{"trafficking unknown purpose", `{"trafficking": {"purposes": ["labour"]}}`, "trafficking.purposes[0]", `unknown code "labour"`},
		{"trafficking empty code", `{"trafficking": {"acts": [""]}}`, "trafficking.acts[0]", "empty"},
		{"trafficking not a list", `{"trafficking": {"acts": "recruitment"}}`, "trafficking.acts", "array"},
		{"trafficking unknown key", `{"trafficking": {"act": []}}`, "trafficking.act", "unknown field"},
		{"odd key is quoted", `{"a\u0000b": 1}`, `"a\x00b"`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInput([]byte(tt.doc))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			if ie.Field != tt.field {
				t.Errorf("Field = %q, want %q (message %q)", ie.Field, tt.field, ie.Message)
			}
			if !strings.Contains(ie.Error(), tt.contains) {
				t.Errorf("error %q does not contain %q", ie.Error(), tt.contains)
			}
		})
	}
}

func TestDecodeInputCutsLongUnknownCodes(t *testing.T) {
	long := strings.Repeat("x", 5000)
	_, err := DecodeInput([]byte(`{"trafficking": {"acts": ["` + long + `"]}}`))
	if err == nil || len(err.Error()) > 400 {
		t.Errorf("error for a 5000-character code is %d bytes long: %.80q", len(err.Error()), err)
	}
}

// FuzzDecodeInput checks that no input makes the decoder or the rules panic,
// that whatever decodes also screens, and that screening is deterministic.
func FuzzDecodeInput(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	r, _ := Rules(LatestVersion)
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := DecodeInput(data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field == "" {
				t.Fatalf("error %v is not an *InputError naming a field", err)
			}
			return
		}
		res1, err := r.Screen(in, DefaultConfig())
		if err != nil {
			t.Fatalf("decoded input does not screen: %v", err)
		}
		res2, _ := r.Screen(in, DefaultConfig())
		j1, err := json.Marshal(res1)
		if err != nil {
			t.Fatalf("marshal result: %v", err)
		}
		j2, _ := json.Marshal(res2)
		if string(j1) != string(j2) {
			t.Fatalf("screening is not deterministic:\n%s\n%s", j1, j2)
		}
		for _, line := range English().RenderAll(res1.Explanation) {
			if strings.HasPrefix(line, "screening.") {
				t.Fatalf("message without English text: %s", line)
			}
		}
	})
}

// fuzzSeeds returns the golden inputs and a few edge cases.
func fuzzSeeds(f *testing.F) [][]byte {
	seeds := [][]byte{
		[]byte(`{}`),
		[]byte(`null`),
		[]byte(`{"age": null, "may_be_minor": true, "observations": [{"episode": 1, "on": "2025-01-01", "element": "C1", "perpetrator": "employer", "stage": "exit", "mode": "witnessed"}]}`),
		[]byte(`{"reference_period": {"start": "2025-01-01", "end": "2025-01-01"}, "age": 18, "observations": [{"episode": "A", "on": "2024-12-31", "indicator": "deception", "perpetrator": "recruiter", "stage": "recruitment"}], "trafficking": {"acts": ["receipt"], "means": ["fraud"], "purposes": ["organ_removal"]}}`),
		[]byte(`{"worst_forms": {"slavery": true}, "parent_in_forced_labour": true, "age": 0}`),
	}
	for _, name := range goldenCases(f) {
		seeds = append(seeds, readFile(f, name+".input.json"))
	}
	return seeds
}
