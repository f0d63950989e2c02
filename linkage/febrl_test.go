package linkage

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// sharedData returns the shared data folder found by walking up from the
// package directory (the repository's sibling "shared/data"), or "" when it
// is absent; FLARE_SHARED_DATA overrides the search (a missing folder there
// also gives "", which is how to check that the tests pass without it).
func sharedData(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("FLARE_SHARED_DATA"); d != "" {
		if _, err := os.Stat(d); err != nil {
			return ""
		}
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "shared", "data")); err == nil && st.IsDir() {
			return filepath.Join(dir, "shared", "data")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readCSV reads a comma-separated file with a header; FEBRL puts a space
// after every comma.
func readCSV(t testing.TB, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.TrimLeadingSpace = true
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows[0], rows[1:]
}

// febrlIdentifiers are the FEBRL columns that victims without papers lack.
var febrlIdentifiers = []string{"date_of_birth", "soc_sec_id"}

// febrlConfig is the default configuration inferred from the header, with
// or without the identifier columns (as for a file that lacks them).
func febrlConfig(header []string, withIdentifiers bool) Config {
	if !withIdentifiers {
		header = slices.DeleteFunc(slices.Clone(header), func(h string) bool { return slices.Contains(febrlIdentifiers, h) })
	}
	cfg, _ := InferConfig(header, "rec_id")
	return cfg
}

func entityOf(id string) string {
	e, _ := EntityFromID(id)
	return e
}

// runFEBRL deduplicates one file, or links two, with the default
// configuration and no labels.
func runFEBRL(t testing.TB, files []string, withIdentifiers bool) (*Result, Accuracy) {
	t.Helper()
	header, rows := readCSV(t, files[0])
	l, err := New(febrlConfig(header, withIdentifiers))
	if err != nil {
		t.Fatal(err)
	}
	load := func(side Side, header []string, rows [][]string) {
		if err := l.SetHeader(side, header, "rec_id"); err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			if err := l.Add(side, row); err != nil {
				t.Fatal(err)
			}
		}
	}
	load(Left, header, rows)
	var res *Result
	if len(files) == 2 {
		h2, rows2 := readCSV(t, files[1])
		load(Right, h2, rows2)
		res, err = l.Link(context.Background(), nil)
	} else {
		res, err = l.Dedupe(context.Background(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return res, res.Evaluate(entityOf)
}

// TestFEBRLAccuracy measures precision, recall and F1 on the full FEBRL
// data sets when they are present (see docs/benchmarks.md).
func TestFEBRLAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("FEBRL accuracy takes a minute: not run with -short")
	}
	data := sharedData(t)
	if data == "" {
		t.Skip("shared/data not found: FEBRL accuracy not measured")
	}
	dir := filepath.Join(data, "febrl")
	sets := []struct {
		name  string
		files []string
	}{
		{"dataset1", []string{"dataset1.csv"}},
		{"dataset2", []string{"dataset2.csv"}},
		{"dataset3", []string{"dataset3.csv"}},
		{"dataset4", []string{"dataset4a.csv", "dataset4b.csv"}},
	}
	for _, set := range sets {
		for _, withIDs := range []bool{true, false} {
			name := set.name + "/without-identifiers"
			if withIDs {
				name = set.name + "/all-fields"
			}
			t.Run(name, func(t *testing.T) {
				var files []string
				for _, f := range set.files {
					files = append(files, filepath.Join(dir, f))
				}
				res, acc := runFEBRL(t, files, withIDs)
				t.Logf("candidates %d, true %d, found %d, correct %d: precision %.4f recall %.4f F1 %.4f (lambda %.2g, EM %d iterations)",
					res.Candidates, acc.TruePairs, acc.FoundPairs, acc.Correct, acc.Precision, acc.Recall, acc.F1, res.Model.Lambda, res.Model.EMIterations)
				cl := res.EvaluateClusters(entityOf)
				t.Logf("cluster pairs: found %d, correct %d: precision %.4f recall %.4f F1 %.4f", cl.FoundPairs, cl.Correct, cl.Precision, cl.Recall, cl.F1)
				if acc.F1 < 0.95 {
					t.Errorf("F1 %.4f below 0.95", acc.F1)
				}
			})
		}
	}
}
