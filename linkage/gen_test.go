package linkage

import (
	"context"
	"slices"
	"testing"
)

func generate(t testing.TB, n int, seed int64) [][]string {
	t.Helper()
	var rows [][]string
	if err := Generate(n, seed, func(row []string) error { rows = append(rows, row); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestGenerateDeterministicWithTruth(t *testing.T) {
	a, b := generate(t, 500, 7), generate(t, 500, 7)
	if len(a) != 500 {
		t.Fatalf("got %d records, want 500", len(a))
	}
	for i := range a {
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("record %d differs between runs with one seed: %v vs %v", i, a[i], b[i])
		}
		if len(a[i]) != len(GenHeader) {
			t.Fatalf("record %d has %d values, header %d", i, len(a[i]), len(GenHeader))
		}
		if _, ok := EntityFromID(a[i][0]); !ok {
			t.Fatalf("record %d: id %q carries no entity", i, a[i][0])
		}
	}
	if c := generate(t, 500, 8); slices.EqualFunc(a, c, slices.Equal) {
		t.Error("another seed gave the same records")
	}
}

// TestGeneratedDedupeAccuracy deduplicates generated records with the
// inferred default configuration and checks the F1 it reaches.
func TestGeneratedDedupeAccuracy(t *testing.T) {
	rows := generate(t, 3000, 1)
	cfg, ignored := InferConfig(GenHeader, "rec_id")
	if len(ignored) > 0 {
		t.Fatalf("columns not recognised: %v", ignored)
	}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetHeader(Left, GenHeader, "rec_id"); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := l.Add(Left, r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := l.Dedupe(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	acc := res.Evaluate(entityOf)
	t.Logf("precision %.4f recall %.4f F1 %.4f over %d true pairs", acc.Precision, acc.Recall, acc.F1, acc.TruePairs)
	if acc.F1 < 0.9 {
		t.Errorf("F1 %.4f below 0.9", acc.F1)
	}
}
