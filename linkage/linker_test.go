package linkage

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// load builds a Linker over the given sides with cfg (inferred from the
// first header when nil).
func load(t testing.TB, cfg *Config, sides ...[][]string) *Linker {
	t.Helper()
	if cfg == nil {
		c, _ := InferConfig(sides[0][0], "rec_id")
		cfg = &c
	}
	l, err := New(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, rows := range sides {
		if err := l.SetHeader(Side(i), rows[0], "rec_id"); err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if err := l.Add(Side(i), r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return l
}

func slice(t testing.TB, name string) [][]string {
	t.Helper()
	h, rows := readCSV(t, filepath.Join("testdata", name))
	return append([][]string{h}, rows...)
}

// TestSliceAccuracy runs the default configuration, without labels, on the
// FEBRL slices in testdata, with and without the identifier fields.
func TestSliceAccuracy(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		withIDs bool
		minF1   float64
	}{
		{"dedupe/all-fields", []string{"febrl3_slice.csv"}, true, 0.99},
		{"dedupe/without-identifiers", []string{"febrl3_slice.csv"}, false, 0.95},
		{"link/all-fields", []string{"febrl4a_slice.csv", "febrl4b_slice.csv"}, true, 0.99},
		{"link/without-identifiers", []string{"febrl4a_slice.csv", "febrl4b_slice.csv"}, false, 0.97},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sides [][][]string
			for _, f := range tt.files {
				sides = append(sides, slice(t, f))
			}
			cfg := febrlConfig(sides[0][0], tt.withIDs)
			l := load(t, &cfg, sides...)
			var res *Result
			var err error
			if len(sides) == 2 {
				res, err = l.Link(context.Background(), nil)
			} else {
				res, err = l.Dedupe(context.Background(), nil)
			}
			if err != nil {
				t.Fatal(err)
			}
			acc := res.Evaluate(entityOf)
			t.Logf("precision %.4f recall %.4f F1 %.4f (%d true pairs, %d candidates)", acc.Precision, acc.Recall, acc.F1, acc.TruePairs, res.Candidates)
			if acc.F1 < tt.minF1 {
				t.Errorf("F1 %.4f below %.2f", acc.F1, tt.minF1)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	run := func() *Result {
		l := load(t, nil, slice(t, "febrl3_slice.csv"))
		res, err := l.Dedupe(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(), run()
	if !reflect.DeepEqual(a.Matches, b.Matches) || !reflect.DeepEqual(a.Model, b.Model) || !reflect.DeepEqual(a.Clusters, b.Clusters) {
		t.Fatal("two runs with one seed differ")
	}
}

// TestExplanation checks that a match's field contributions and the prior
// add up to its weight, and its probability follows from the weight.
func TestExplanation(t *testing.T) {
	l := load(t, nil, slice(t, "febrl3_slice.csv"))
	res, err := l.Dedupe(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Matches) == 0 {
		t.Fatal("no match")
	}
	prior := math.Log2(res.Model.Lambda / (1 - res.Model.Lambda))
	for _, m := range res.Matches {
		sum := prior
		for _, c := range res.Contributions(m) {
			sum += c
		}
		if math.Abs(sum-m.Weight) > 1e-9 {
			t.Fatalf("contributions sum to %v, weight %v", sum, m.Weight)
		}
		if p := 1 / (1 + math.Exp2(-m.Weight)); math.Abs(p-m.Probability) > 1e-12 || m.Probability < l.Config().Threshold {
			t.Fatalf("probability %v for weight %v", m.Probability, m.Weight)
		}
		if levels := res.Levels(m); len(levels) != len(l.Config().Fields) {
			t.Fatalf("levels %v", levels)
		}
	}
	if len(res.Rules) != len(l.Config().Blocking) || res.Rules[0].Pairs == 0 {
		t.Fatalf("rule statistics %+v", res.Rules)
	}
}

func TestOneToOneAndClusters(t *testing.T) {
	a, b := slice(t, "febrl4a_slice.csv"), slice(t, "febrl4b_slice.csv")
	cfg := febrlConfig(a[0], false)
	cfg.OneToOne = true
	cfg.Threshold = 0.01 // low, so that one-to-one has competing pairs to resolve
	l := load(t, &cfg, a, b)
	res, err := l.Link(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	seenA, seenB := map[int]bool{}, map[int]bool{}
	for _, m := range res.Matches {
		if seenA[m.A] || seenB[m.B] {
			t.Fatalf("record used twice in one-to-one linkage: %+v", m)
		}
		seenA[m.A], seenB[m.B] = true, true
		if res.Clusters[Left][m.A] != res.Clusters[Right][m.B] {
			t.Fatalf("matched records in different clusters: %+v", m)
		}
	}
	if len(res.Clusters[Left]) != len(a)-1 || len(res.Clusters[Right]) != len(b)-1 {
		t.Fatalf("cluster ids for %d+%d records", len(res.Clusters[Left]), len(res.Clusters[Right]))
	}
	if acc := res.Evaluate(entityOf); acc.F1 < 0.97 {
		t.Errorf("one-to-one F1 %.4f", acc.F1)
	}
}

func TestClustersConnectedComponents(t *testing.T) {
	got := clusters([]Match{{A: 0, B: 2}, {A: 2, B: 4}, {A: 1, B: 3}}, 6, 0, false)
	want := []int{1, 2, 1, 2, 1, 3}
	if !slices.Equal(got[Left], want) {
		t.Fatalf("clusters = %v, want %v", got[Left], want)
	}
}

func TestLabels(t *testing.T) {
	a, b := slice(t, "febrl4a_slice.csv"), slice(t, "febrl4b_slice.csv")
	cfg := febrlConfig(a[0], false)
	l := load(t, &cfg, a, b)
	// Label the first 50 true pairs.
	right := map[string]int{}
	for i, r := range b[1:] {
		right[entityOf(r[0])] = i
	}
	var labels [][2]int
	for i, r := range a[1:51] {
		labels = append(labels, [2]int{i, right[entityOf(r[0])]})
	}
	if err := l.SetLabels(labels); err != nil {
		t.Fatal(err)
	}
	res, err := l.Link(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Model.Fields[0].Levels[0].M < 0.5 {
		t.Errorf("m of exact given name from labels = %v", res.Model.Fields[0].Levels[0].M)
	}
	if acc := res.Evaluate(entityOf); acc.F1 < 0.97 {
		t.Errorf("F1 with labels %.4f", acc.F1)
	}
	bad := load(t, &cfg, a, b)
	bad.SetLabels([][2]int{{0, 100000}})
	if _, err := bad.Link(context.Background(), nil); err == nil {
		t.Error("a label beyond the records was accepted")
	}
}

// TestMessyValues feeds empty, missing and malformed values of every
// comparator: no panic, and the result stays well formed.
func TestMessyValues(t *testing.T) {
	header := []string{"rec_id", "name", "org", "dob", "n", "code", "town", "sex"}
	cfg := Config{
		Fields: []Field{
			{Column: "name", Comparator: Name}, {Column: "org", Comparator: Organisation, TermFrequency: true},
			{Column: "dob", Comparator: DateCmp}, {Column: "n", Comparator: Numeric}, {Column: "code", Comparator: Code},
			{Column: "town", Comparator: Text}, {Column: "sex", Comparator: Exact}, {Name: "full", Column: "name", Comparator: Tokens},
		},
		Blocking: [][]string{{"sex"}, {"soundex:name"}, {"year:dob"}, {"first2:org"}, {"sorted:full"}},
	}
	rows := [][]string{header,
		{"1", "José", "XYZ Ltd", "1990-02-30", "1,000", "AB1", "", "f"},
		{"2", "jose", "xyz limited", "30/02/1990", "1000", "ab 1", "north", "f"},
		{"3", "", "", "", "", "", "", ""},
		{"4", "\x00\xff", "\u202e", "NaN", "NaN", "Inf", "-", "F"},
		{"5", "😀", "😀 😀", "99999999", "1e400", "😀", "😀", "f"},
		{"6", "de la", "&&&", "0/0/0", "-0", "0", "  ", "m"},
	}
	for _, link := range []bool{false, true} {
		sides := [][][]string{rows}
		if link {
			sides = append(sides, rows)
		}
		l := load(t, &cfg, sides...)
		var res *Result
		var err error
		if link {
			res, err = l.Link(context.Background(), nil)
		} else {
			res, err = l.Dedupe(context.Background(), nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matches {
			if math.IsNaN(m.Weight) || math.IsNaN(m.Probability) {
				t.Fatalf("NaN in %+v", m)
			}
		}
	}
}

func TestEmptyInput(t *testing.T) {
	cfg, _ := InferConfig([]string{"rec_id", "given_name", "surname"}, "rec_id")
	for _, link := range []bool{false, true} {
		l, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		l.SetHeader(Left, []string{"rec_id", "given_name", "surname"}, "rec_id")
		l.SetHeader(Right, []string{"surname", "rec_id", "given_name"}, "rec_id")
		var res *Result
		if link {
			res, err = l.Link(context.Background(), nil)
		} else {
			res, err = l.Dedupe(context.Background(), nil)
		}
		if err != nil || len(res.Matches) != 0 {
			t.Fatalf("empty input: %v, %v", res, err)
		}
	}
}

func TestCancelled(t *testing.T) {
	l := load(t, nil, slice(t, "febrl3_slice.csv"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Dedupe(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Fields: []Field{{Column: "a", Comparator: Name}, {Column: "b", Comparator: DateCmp}}, Blocking: [][]string{{"a"}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"no fields", func(c *Config) { c.Fields = nil }, "fields"},
		{"unknown comparator", func(c *Config) { c.Fields[0].Comparator = "fuzzy" }, "fields[0].comparator"},
		{"no column", func(c *Config) { c.Fields[0].Column = " " }, "fields[0].column"},
		{"duplicate", func(c *Config) { c.Fields[1].Name = "a" }, "fields[1].name"},
		{"threshold count", func(c *Config) { c.Fields[0].Thresholds = []float64{0.9} }, "fields[0].thresholds"},
		{"threshold range", func(c *Config) { c.Fields[0].Thresholds = []float64{1.5, 0.8} }, "fields[0].thresholds[0]"},
		{"bad swap", func(c *Config) { c.Fields[0].SwapWith = "b" }, "fields[0].swap_with"},
		{"probability", func(c *Config) { c.Threshold = 2 }, "threshold"},
		{"no blocking", func(c *Config) { c.Blocking = nil }, "blocking"},
		{"empty rule", func(c *Config) { c.Blocking = [][]string{{}} }, "blocking[0]"},
		{"unknown key", func(c *Config) { c.Blocking = [][]string{{"a", "zzz"}} }, "blocking[0][1]"},
		{"bad transform", func(c *Config) { c.Blocking = [][]string{{"metaphone:a"}} }, "blocking[0][0]"},
		{"year of name", func(c *Config) { c.Blocking = [][]string{{"year:a"}} }, "blocking[0][0]"},
		{"negative", func(c *Config) { c.MaxPairsU = -1 }, "max_pairs_u"},
	}
	for _, tt := range tests {
		c := ok
		c.Fields = slices.Clone(ok.Fields)
		tt.edit(&c)
		var ce *ConfigError
		if err := c.Validate(); !errors.As(err, &ce) || ce.Field != tt.field {
			t.Errorf("%s: err = %v, want a ConfigError on %s", tt.name, err, tt.field)
		}
	}
}

func TestInferConfig(t *testing.T) {
	header := []string{"rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id", "notes"}
	cfg, ignored := InferConfig(header, "rec_id")
	if !slices.Equal(ignored, []string{"notes"}) {
		t.Errorf("ignored = %v", ignored)
	}
	got := map[string]Comparator{}
	for _, f := range cfg.Fields {
		got[f.Name] = f.Comparator
	}
	want := map[string]Comparator{"given_name": Name, "surname": Name, "street_number": Code, "address_1": Text, "address_2": Text,
		"suburb": Text, "postcode": Code, "state": Exact, "date_of_birth": DateCmp, "soc_sec_id": Code}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("comparators = %v, want %v", got, want)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, r := range cfg.Blocking {
		rules[strings.Join(r, ",")] = true
	}
	for _, r := range []string{"soundex:given_name+surname,year:date_of_birth", "date_of_birth,first1:given_name", "soc_sec_id", "postcode,street_number"} {
		if !rules[r] {
			t.Errorf("no blocking rule %s in %v", r, cfg.Blocking)
		}
	}
	org, _ := InferConfig([]string{"id", "Employer Name", "City"}, "id")
	if len(org.Fields) != 2 || org.Fields[0].Comparator != Organisation || org.Validate() != nil {
		t.Errorf("organisation config %+v", org)
	}
}

func FuzzLinker(f *testing.F) {
	f.Add("José", "XYZ Ltd", "1990-02-30", "1,000", "jose", "xyz limited", "30/02/1990", "1000")
	f.Add("", "", "", "", "", "", "", "")
	f.Add("\xff", "\u202e", "NaN", "Inf", "a", "a a", "0/0/0", "-0")
	f.Fuzz(func(t *testing.T, n1, o1, d1, x1, n2, o2, d2, x2 string) {
		cfg := Config{
			Fields: []Field{{Column: "n", Comparator: Name}, {Column: "o", Comparator: Organisation, TermFrequency: true},
				{Column: "d", Comparator: DateCmp}, {Column: "x", Comparator: Numeric}, {Name: "t", Column: "o", Comparator: Text}},
			Blocking: [][]string{{"first1:n"}, {"year:d"}, {"sorted:o"}, {"x"}, {"soundex:n+t"}},
		}
		header := []string{"rec_id", "n", "o", "d", "x"}
		l, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		l.SetHeader(Left, header, "rec_id")
		for i, r := range [][]string{{"1", n1, o1, d1, x1}, {"2", n2, o2, d2, x2}, {"3", n1, o2, d1, x2}} {
			if err := l.Add(Left, r); err != nil {
				t.Fatalf("row %d: %v", i, err)
			}
		}
		res, err := l.Dedupe(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range res.Matches {
			if math.IsNaN(m.Probability) || m.Probability < 0 || m.Probability > 1 {
				t.Fatalf("probability %v", m.Probability)
			}
		}
	})
}
