package screening

import (
	"errors"
	"reflect"
	"testing"
)

func day(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func age(a float64) *float64 { return &a }

// inv is an involuntariness observation; co a coercion one.
func inv(episode, on string, el Element) Observation {
	return Observation{Episode: episode, On: day(on), Element: el, Perpetrator: RoleEmployer, Stage: StageEmployment}
}

func co(episode, on string, el Element, by Role) Observation {
	return Observation{Episode: episode, On: day(on), Element: el, Perpetrator: by, Stage: StageEmployment, Mode: ModeExperienced}
}

func period(start, end string) *Period { return &Period{Start: day(start), End: day(end)} }

func screen(t *testing.T, in Input, cfg Config) Result {
	t.Helper()
	r, ok := Rules(VersionICLS2018)
	if !ok {
		t.Fatal("rule set ICLS-2018 not registered")
	}
	res, err := r.Screen(in, cfg)
	if err != nil {
		t.Fatalf("Screen: %v", err)
	}
	return res
}

// episodeOutcomes summarises a result as episode -> outcome.
func episodeOutcomes(res Result) map[string]Outcome {
	m := map[string]Outcome{}
	for _, ep := range res.Episodes {
		m[ep.Episode] = ep.Result
	}
	return m
}

func TestScreenRules(t *testing.T) {
	adult := age(30)
	tests := []struct {
		name         string
		in           Input
		cfg          Config
		want         Outcome
		wantChild    bool
		wantEpisodes map[string]Outcome
		wantExcluded []int
	}{
		// Rule 2: adult.
		{
			name:         "adult involuntary and coerced in one episode is met",
			in:           Input{Age: adult, Observations: []Observation{inv("A", "2025-03-01", I2), co("A", "2025-03-02", C5, RoleEmployer)}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name:         "adult involuntariness only is possible",
			in:           Input{Age: adult, Observations: []Observation{inv("A", "2025-03-01", I5), inv("A", "2025-03-01", I3)}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "adult coercion only is possible",
			in:           Input{Age: adult, Observations: []Observation{co("A", "2025-03-01", C2, RoleEmployer)}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "elements in different episodes never combine",
			in:           Input{Age: adult, Observations: []Observation{inv("A", "2025-03-01", I2), co("B", "2025-03-01", C5, RoleEmployer)}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible, "B": Possible},
		},
		{
			name: "one met episode among others makes the person met",
			in: Input{Age: adult, Observations: []Observation{
				inv("A", "2025-03-01", I2), co("B", "2025-03-01", C5, RoleEmployer),
				inv("B", "2025-04-01", I9),
			}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Possible, "B": Met},
		},
		{
			name:         "adult coercion by a parent still counts",
			in:           Input{Age: adult, Observations: []Observation{inv("A", "2025-03-01", I5), co("A", "2025-03-01", C1, RoleParent)}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name: "witnessed coercion counts with involuntary work",
			in: Input{Age: adult, Observations: []Observation{inv("A", "2025-03-01", I3),
				{Episode: "A", On: day("2025-03-01"), Element: C1, Perpetrator: RoleEmployer, Stage: StageEmployment, Mode: ModeWitnessed}}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name: "indicator records its default element",
			in: Input{Age: adult, Observations: []Observation{
				{Episode: "A", On: day("2025-03-01"), Indicator: Deception, Perpetrator: RoleRecruiter, Stage: StageRecruitment},
				{Episode: "A", On: day("2025-03-01"), Indicator: RetentionOfDocuments, Perpetrator: RoleEmployer, Stage: StageEmployment, Mode: ModeExperienced},
			}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name: "an explicit element overrides the indicator's default",
			in: Input{Age: adult, Observations: []Observation{
				// Deception defaults to I2 (involuntariness); naming C6 makes
				// it coercion, so the episode has no involuntariness.
				{Episode: "A", On: day("2025-03-01"), Indicator: Deception, Element: C6, Perpetrator: RoleRecruiter, Stage: StageRecruitment, Mode: ModeThreatened},
				co("A", "2025-03-01", C5, RoleEmployer),
			}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		// Rule 4: nothing recorded.
		{
			name:         "nothing recorded is not met",
			in:           Input{Age: adult},
			want:         NotMet,
			wantEpisodes: map[string]Outcome{},
		},
		// Rule 1: the reference period, both days included.
		{
			name: "observations on the first and last day of the period count",
			in: Input{Age: adult, Period: period("2025-01-01", "2025-12-31"), Observations: []Observation{
				inv("A", "2025-01-01", I2), co("A", "2025-12-31", C5, RoleEmployer),
			}},
			want:         Met,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name: "the day before and the day after the period are excluded",
			in: Input{Age: adult, Period: period("2025-01-01", "2025-12-31"), Observations: []Observation{
				inv("A", "2024-12-31", I2), co("A", "2026-01-01", C5, RoleEmployer), inv("A", "2025-06-01", I5),
			}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
			wantExcluded: []int{0, 1},
		},
		{
			name: "everything outside the period is not met",
			in: Input{Age: adult, Period: period("2025-01-01", "2025-01-01"), Observations: []Observation{
				inv("A", "2024-12-31", I2), co("A", "2025-01-02", C5, RoleEmployer),
			}},
			want:         NotMet,
			wantEpisodes: map[string]Outcome{},
			wantExcluded: []int{0, 1},
		},
		// Rule 3: children, and the age boundary.
		{
			name:         "age 18 on the day is an adult: coercion alone is not enough",
			in:           Input{Age: age(18), Observations: []Observation{co("A", "2025-03-01", C1, RoleEmployer)}},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "age 17 is a child: coercion by a non-parent is met",
			in:           Input{Age: age(17), Observations: []Observation{co("A", "2025-03-01", C1, RoleEmployer)}},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name:         "age 17.99 is still a child",
			in:           Input{Age: age(17.99), Observations: []Observation{co("A", "2025-03-01", C2, RoleThirdParty)}},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name:         "child coerced only by a parent is possible",
			in:           Input{Age: age(12), Observations: []Observation{inv("A", "2025-03-01", I5), co("A", "2025-03-01", C1, RoleParent)}},
			want:         Possible,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "child with involuntariness only is possible",
			in:           Input{Age: age(12), Observations: []Observation{inv("A", "2025-03-01", I4)}},
			want:         Possible,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "child coerced by the state is met",
			in:           Input{Age: age(15), Observations: []Observation{co("A", "2025-03-01", C6, RoleState)}},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name:         "child with a parent in forced labour is met without observations",
			in:           Input{Age: age(10), ParentInForcedLabour: true},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{},
		},
		{
			name:         "child in a worst form is met",
			in:           Input{Age: age(16), WorstForms: WorstForms{IllicitActivities: true}, Observations: []Observation{inv("A", "2025-03-01", I5)}},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "child grounds do not count for an adult",
			in:           Input{Age: adult, ParentInForcedLabour: true, WorstForms: WorstForms{Slavery: true}},
			want:         NotMet,
			wantEpisodes: map[string]Outcome{},
		},
		{
			name:         "unknown age with signs of a minor applies the child rule",
			in:           Input{MayBeMinor: true, Observations: []Observation{co("A", "2025-03-01", C5, RoleEmployer)}},
			cfg:          Config{PresumeMinor: true},
			want:         Met,
			wantChild:    true,
			wantEpisodes: map[string]Outcome{"A": Met},
		},
		{
			name:         "the presumption of minority can be switched off",
			in:           Input{MayBeMinor: true, Observations: []Observation{co("A", "2025-03-01", C5, RoleEmployer)}},
			cfg:          Config{PresumeMinor: false},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "unknown age without signs of a minor applies the adult rule",
			in:           Input{Observations: []Observation{co("A", "2025-03-01", C5, RoleEmployer)}},
			cfg:          Config{PresumeMinor: true},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
		{
			name:         "a known age wins over signs of a minor",
			in:           Input{Age: age(25), MayBeMinor: true, Observations: []Observation{co("A", "2025-03-01", C5, RoleEmployer)}},
			cfg:          Config{PresumeMinor: true},
			want:         Possible,
			wantEpisodes: map[string]Outcome{"A": Possible},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := screen(t, tt.in, tt.cfg)
			if res.Rule != VersionICLS2018 {
				t.Errorf("Rule = %q, want %q", res.Rule, VersionICLS2018)
			}
			if res.Result != tt.want {
				t.Errorf("Result = %q, want %q", res.Result, tt.want)
			}
			if res.Child != tt.wantChild {
				t.Errorf("Child = %v, want %v", res.Child, tt.wantChild)
			}
			if got := episodeOutcomes(res); !reflect.DeepEqual(got, tt.wantEpisodes) {
				t.Errorf("episodes = %v, want %v", got, tt.wantEpisodes)
			}
			var excluded []int
			for _, x := range res.Excluded {
				excluded = append(excluded, x.Index)
			}
			if !reflect.DeepEqual(excluded, tt.wantExcluded) {
				t.Errorf("excluded = %v, want %v", excluded, tt.wantExcluded)
			}
		})
	}
}

func TestScreenDecisiveObservations(t *testing.T) {
	in := Input{Age: age(40), Observations: []Observation{
		co("A", "2025-05-01", C5, RoleEmployer),  // 0
		inv("A", "2025-04-01", I2),               // 1
		co("A", "2025-03-01", C1, RoleEmployer),  // 2
		inv("A", "2025-02-01", I2),               // 3
		co("B", "2025-03-01", C1, RoleRecruiter), // 4: other episode
	}}
	res := screen(t, in, DefaultConfig())
	a := res.Episodes[0]
	if a.Episode != "A" || a.Result != Met {
		t.Fatalf("episode A = %+v", a)
	}
	var got []int
	for _, r := range a.Decisive {
		got = append(got, r.Index)
	}
	// Sorted by element (I before C, then by number), then by day.
	if want := []int{3, 1, 2, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("decisive = %v, want %v", got, want)
	}
	if want := []Element{I2, C1, C5}; !reflect.DeepEqual(a.Elements, want) {
		t.Errorf("elements = %v, want %v", a.Elements, want)
	}
	b := res.Episodes[1]
	if b.Result != Possible || b.Reason != ReasonNoInvoluntariness || len(b.Decisive) != 0 {
		t.Errorf("episode B = %+v, want possible for lack of involuntariness, nothing decisive", b)
	}
}

func TestScreenChildDecisiveLeavesOutParents(t *testing.T) {
	in := Input{Age: age(14), Observations: []Observation{
		co("A", "2025-03-01", C1, RoleParent),
		co("A", "2025-03-01", C2, RoleEmployer),
		inv("A", "2025-03-01", I5),
	}}
	res := screen(t, in, DefaultConfig())
	ep := res.Episodes[0]
	if ep.Result != Met || len(ep.Decisive) != 1 || ep.Decisive[0].Element != C2 {
		t.Errorf("episode = %+v, want met by C2 alone", ep)
	}
	if want := []Element{I5, C1, C2}; !reflect.DeepEqual(ep.Elements, want) {
		t.Errorf("elements = %v, want %v", ep.Elements, want)
	}
}

func TestScreenTrafficking(t *testing.T) {
	met := []Observation{inv("A", "2025-03-01", I2), co("A", "2025-03-01", C5, RoleEmployer)}
	childMet := []Observation{co("A", "2025-03-01", C5, RoleEmployer)}
	all := TraffickingElements{Acts: []Act{ActRecruitment}, Means: []Means{MeansDeception}, Purposes: []Purpose{PurposeForcedLabour}}
	tests := []struct {
		name        string
		in          Input
		wantFlagged bool
		wantMissing []string
	}{
		{"act, means and purpose", Input{Age: age(30), Trafficking: all}, true, []string{}},
		{"nothing recorded", Input{Age: age(30)}, false, []string{"act", "means", "purpose"}},
		{"adult without means", Input{Age: age(30), Trafficking: TraffickingElements{Acts: []Act{ActTransportation}, Purposes: []Purpose{PurposeSlavery}}}, false, []string{"means"}},
		{"child needs no means", Input{Age: age(17), Trafficking: TraffickingElements{Acts: []Act{ActTransportation}, Purposes: []Purpose{PurposeSlavery}}}, true, []string{}},
		{"presumed minor needs no means", Input{MayBeMinor: true, Trafficking: TraffickingElements{Acts: []Act{ActHarbouring}, Purposes: []Purpose{PurposeServitude}}}, true, []string{}},
		{"met forced labour supplies the purpose", Input{Age: age(30), Observations: met, Trafficking: TraffickingElements{Acts: []Act{ActRecruitment}, Means: []Means{MeansFraud}}}, true, []string{}},
		{"possible forced labour does not supply the purpose", Input{Age: age(30), Observations: met[:1], Trafficking: TraffickingElements{Acts: []Act{ActRecruitment}, Means: []Means{MeansFraud}}}, false, []string{"purpose"}},
		{"child: act and met forced labour suffice", Input{Age: age(9), Observations: childMet, Trafficking: TraffickingElements{Acts: []Act{ActReceipt}}}, true, []string{}},
		{"no act, no flag", Input{Age: age(30), Observations: met, Trafficking: TraffickingElements{Means: []Means{MeansForce}}}, false, []string{"act"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := screen(t, tt.in, DefaultConfig()).Trafficking
			if tr.Flagged != tt.wantFlagged {
				t.Errorf("Flagged = %v, want %v", tr.Flagged, tt.wantFlagged)
			}
			if !reflect.DeepEqual(tr.Missing, tt.wantMissing) {
				t.Errorf("Missing = %v, want %v", tr.Missing, tt.wantMissing)
			}
		})
	}
}

func TestScreenTraffickingListsAreDistinctAndOrdered(t *testing.T) {
	in := Input{Age: age(30), Trafficking: TraffickingElements{
		Acts:     []Act{ActReceipt, ActRecruitment, ActReceipt},
		Means:    []Means{MeansPaymentToPersonInControl, MeansThreat},
		Purposes: []Purpose{PurposeOther, PurposeSexualExploitation},
	}}
	tr := screen(t, in, DefaultConfig()).Trafficking
	if want := []Act{ActRecruitment, ActReceipt}; !reflect.DeepEqual(tr.Acts, want) {
		t.Errorf("Acts = %v, want %v", tr.Acts, want)
	}
	if want := []Means{MeansThreat, MeansPaymentToPersonInControl}; !reflect.DeepEqual(tr.Means, want) {
		t.Errorf("Means = %v, want %v", tr.Means, want)
	}
	if want := []Purpose{PurposeSexualExploitation, PurposeOther}; !reflect.DeepEqual(tr.Purposes, want) {
		t.Errorf("Purposes = %v, want %v", tr.Purposes, want)
	}
}

func TestScreenRefusesInvalidInput(t *testing.T) {
	r, _ := Rules(VersionICLS2018)
	in := Input{Observations: []Observation{{Episode: "A", On: day("2025-01-01"), Element: "I10", Perpetrator: RoleEmployer, Stage: StageExit}}}
	_, err := r.Screen(in, DefaultConfig())
	var ie *InputError
	if !errors.As(err, &ie) || ie.Field != "observations[0].element" {
		t.Fatalf("err = %v, want an InputError on observations[0].element", err)
	}
}

func TestScreenDoesNotDependOnObservationOrder(t *testing.T) {
	obs := []Observation{
		inv("B", "2025-03-01", I2), co("A", "2025-03-02", C5, RoleEmployer),
		inv("A", "2025-03-01", I5), co("B", "2025-02-01", C1, RoleRecruiter),
	}
	reversed := make([]Observation, len(obs))
	for i, o := range obs {
		reversed[len(obs)-1-i] = o
	}
	a := screen(t, Input{Age: age(30), Observations: obs}, DefaultConfig())
	b := screen(t, Input{Age: age(30), Observations: reversed}, DefaultConfig())
	if a.Result != b.Result || !reflect.DeepEqual(episodeOutcomes(a), episodeOutcomes(b)) {
		t.Errorf("order changed the finding: %v %v vs %v %v", a.Result, episodeOutcomes(a), b.Result, episodeOutcomes(b))
	}
	for i := range a.Episodes {
		if !reflect.DeepEqual(a.Episodes[i].Elements, b.Episodes[i].Elements) {
			t.Errorf("episode %s elements differ: %v vs %v", a.Episodes[i].Episode, a.Episodes[i].Elements, b.Episodes[i].Elements)
		}
	}
}
