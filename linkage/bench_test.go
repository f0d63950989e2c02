package linkage

import (
	"context"
	"path/filepath"
	"testing"
)

func BenchmarkJaroWinkler(b *testing.B) {
	var s scratch
	x, y := []rune("kaminskas"), []rune("kaminskis")
	for b.Loop() {
		s.jaroWinkler(x, y)
	}
}

func BenchmarkDamerauLevenshteinAtMostOne(b *testing.B) {
	var s scratch
	x, y := []rune("kaminskas"), []rune("kamniskas")
	for b.Loop() {
		s.damerau(x, y, 1)
	}
}

func BenchmarkTokenSetSimilarity(b *testing.B) {
	var s scratch
	x, y := tokenRunes("xyz garments limited dhaka"), tokenRunes("garmnets xyz limited")
	px, py := profiles(x), profiles(y)
	for b.Loop() {
		s.tokenSet(x, y, px, py)
	}
}

func BenchmarkSoundex(b *testing.B) {
	for b.Loop() {
		Soundex("kaminskas")
	}
}

// BenchmarkComparePair compares one FEBRL pair on all ten default fields.
func BenchmarkComparePair(b *testing.B) {
	rows := slice(b, "febrl3_slice.csv")
	l := load(b, nil, rows)
	var s scratch
	n := l.Len(Left)
	i := 0
	for b.Loop() {
		l.pattern(&s, Left, i%n, Left, (i*7+1)%n)
		i++
	}
}

// BenchmarkEM runs EM to convergence on the agreement patterns of the
// FEBRL slice's candidate pairs, one group per blocking rule.
func BenchmarkEM(b *testing.B) {
	l := load(b, nil, slice(b, "febrl3_slice.csv"))
	ctx, quiet := context.Background(), func(string, int64, int64) {}
	blk, pairs, _, _, err := l.candidates(ctx, false, nil)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]uint32, len(pairs))
	table, _, err := l.comparePairs(ctx, pairs, ids, false, quiet, "")
	if err != nil {
		b.Fatal(err)
	}
	u, err := l.estimateU(ctx, false, quiet)
	if err != nil {
		b.Fatal(err)
	}
	var m0 [][]float64
	for _, f := range l.fields {
		m0 = append(m0, initialM(len(comparators[f.spec.Comparator].levels)))
	}
	groups, start := l.emGroups(blk, pairs, table, ids, m0, u)
	b.ReportMetric(float64(len(table)), "patterns")
	for b.Loop() {
		runEM(groups, start, 100, false)
	}
}

// BenchmarkFEBRL links FEBRL dataset4a with dataset4b (5,000 records each)
// and deduplicates dataset3 (5,000 records), from records in memory to
// scored pairs, with the default configuration; skipped when shared/data
// is absent.
func BenchmarkFEBRL(b *testing.B) {
	data := sharedData(b)
	if data == "" {
		b.Skip("shared/data not found")
	}
	dir := filepath.Join(data, "febrl")
	for _, bench := range []struct {
		name  string
		files []string
	}{
		{"link-4a-4b", []string{"dataset4a.csv", "dataset4b.csv"}},
		{"dedupe-3", []string{"dataset3.csv"}},
	} {
		var sides [][][]string
		for _, f := range bench.files {
			h, rows := readCSV(b, filepath.Join(dir, f))
			sides = append(sides, append([][]string{h}, rows...))
		}
		b.Run(bench.name, func(b *testing.B) {
			for b.Loop() {
				l := load(b, nil, sides...)
				var err error
				if len(sides) == 2 {
					_, err = l.Link(context.Background(), nil)
				} else {
					_, err = l.Dedupe(context.Background(), nil)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
