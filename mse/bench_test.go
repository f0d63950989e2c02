package mse

import (
	"context"
	"math"
	"testing"
)

// The figures in docs/benchmarks.md come from:
//
//	go test -run='^$' -bench=. -benchtime=20x ./mse/

func BenchmarkFitMain(b *testing.B) {
	tab := loadTable(b, "UKdat_5")
	for b.Loop() {
		if _, err := FitModel(tab, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStepwise(b *testing.B) {
	tab := loadTable(b, "UKdat_5")
	for b.Loop() {
		if _, err := Stepwise(context.Background(), tab, DefaultPThreshold); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkStepwiseAIC(b *testing.B) {
	tab := loadTable(b, "UKdat_5")
	for b.Loop() {
		if _, err := StepwiseAIC(context.Background(), tab, DefaultAICPThreshold); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProfileInterval(b *testing.B) {
	tab := loadTable(b, "UKdat_5")
	sel, err := StepwiseAIC(context.Background(), tab, DefaultAICPThreshold)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ProfileInterval(sel.Fit, DefaultLevel); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBootstrap1000 is the full BCa interval of the UK model: 1,000
// resampled tables, each with its own stepwise search, and the jackknife.
func BenchmarkBootstrap1000(b *testing.B) {
	tab := loadTable(b, "UKdat_5")
	o := DefaultOptions(MethodStepwise)
	o.Interval = IntervalBootstrap
	for b.Loop() {
		if _, err := Estimate(context.Background(), tab, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepwise10Lists shows how the search scales: a synthetic table of
// ten lists (1,023 cells, 45 candidate pairs) with dependence between the
// first lists.
func BenchmarkStepwise10Lists(b *testing.B) {
	tab := syntheticTable(b, 10, 20000)
	for b.Loop() {
		if _, err := Stepwise(context.Background(), tab, DefaultPThreshold); err != nil {
			b.Fatal(err)
		}
	}
}

// syntheticTable returns the rounded expected counts of a population of
// size n on k lists with capture probabilities from 0.05 to 0.3, lists 1
// and 2 positively and lists 3 and 4 negatively dependent.
func syntheticTable(tb testing.TB, k int, n float64) *Table {
	tb.Helper()
	names := make([]string, k)
	for i := range names {
		names[i] = string(rune('A' + i))
	}
	tab, err := NewTable(names)
	if err != nil {
		tb.Fatal(err)
	}
	for p := uint(1); p < 1<<k; p++ {
		logp := 0.0
		for i := range k {
			q := 0.05 + 0.25*float64(i)/float64(k-1)
			if p&(1<<i) != 0 {
				logp += math.Log(q)
			} else {
				logp += math.Log(1 - q)
			}
		}
		if p&3 == 3 {
			logp += math.Log(3)
		}
		if p&12 == 12 {
			logp += math.Log(0.3)
		}
		if err := tab.Set(p, int64(math.Round(n*math.Exp(logp)))); err != nil {
			tb.Fatal(err)
		}
	}
	return tab
}
