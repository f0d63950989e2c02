package screening

import (
	"encoding/json"
	"fmt"
	"testing"
)

// syntheticInput builds a deterministic input of n observations spread over
// n/10 episodes (at least one), cycling through every element, role and day
// of one year. No data set of screenings exists to read: screenings are
// made one person at a time, so a synthetic person with many observations
// is the heavy case.
func syntheticInput(n int) Input {
	els := Elements()
	roles := Roles()
	episodes := max(n/10, 1)
	in := Input{
		Period:      &Period{Start: NewDate(2025, 1, 1), End: NewDate(2025, 12, 31)},
		Age:         age(30),
		Trafficking: TraffickingElements{Acts: []Act{ActRecruitment}, Means: []Means{MeansDeception}},
	}
	for i := range n {
		el := els[i%len(els)]
		o := Observation{
			Episode:     fmt.Sprintf("episode-%d", i%episodes),
			On:          NewDate(2025, 1, 1+i%400), // some fall after the period
			Element:     el,
			Perpetrator: roles[i%len(roles)],
			Stage:       StageEmployment,
			Evidence:    &Evidence{Kind: EvidenceStatement, Ref: fmt.Sprintf("note %d", i)},
		}
		if el.Kind() == Coercion {
			o.Mode = ModeExperienced
		}
		in.Observations = append(in.Observations, o)
	}
	return in
}

// inputJSON writes in in the input format, for the decoder benchmark.
func inputJSON(in Input) []byte {
	type obs struct {
		Episode     string    `json:"episode"`
		On          Date      `json:"on"`
		Element     Element   `json:"element"`
		Perpetrator Role      `json:"perpetrator"`
		Stage       Stage     `json:"stage"`
		Mode        Mode      `json:"mode,omitempty"`
		Evidence    *Evidence `json:"evidence,omitempty"`
	}
	doc := struct {
		Period       map[string]Date `json:"reference_period"`
		Age          *float64        `json:"age"`
		Observations []obs           `json:"observations"`
		Trafficking  map[string]any  `json:"trafficking"`
	}{
		Period:      map[string]Date{"start": in.Period.Start, "end": in.Period.End},
		Age:         in.Age,
		Trafficking: map[string]any{"acts": in.Trafficking.Acts, "means": in.Trafficking.Means, "purposes": in.Trafficking.Purposes},
	}
	for _, o := range in.Observations {
		doc.Observations = append(doc.Observations, obs{o.Episode, o.On, o.Element, o.Perpetrator, o.Stage, o.Mode, o.Evidence})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

func TestSyntheticInputRoundTrips(t *testing.T) {
	in := syntheticInput(50)
	got, err := DecodeInput(inputJSON(in))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := Rules(LatestVersion)
	a, _ := r.Screen(in, DefaultConfig())
	b, _ := r.Screen(got, DefaultConfig())
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("the synthetic input screens differently once written and decoded")
	}
}

func BenchmarkScreen(b *testing.B) {
	r, _ := Rules(LatestVersion)
	for _, n := range []int{15, 1_000, 100_000} {
		in := syntheticInput(n)
		b.Run(fmt.Sprintf("observations=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := r.Screen(in, DefaultConfig()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeInput(b *testing.B) {
	for _, n := range []int{15, 1_000, 100_000} {
		data := inputJSON(syntheticInput(n))
		b.Run(fmt.Sprintf("observations=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := DecodeInput(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
