package mse

import (
	"errors"
	"testing"
)

// TestCheckModelArtificial reproduces the examples of SparseMSE's checkident
// on its toy table Artificial_3 (A, B, C; A:C and B:C never overlap).
func TestCheckModelArtificial(t *testing.T) {
	tab := loadTable(t, "Artificial_3")
	ab, ac, bc := Pair{0, 1}, Pair{0, 2}, Pair{1, 2}
	tests := []struct {
		name  string
		terms []Pair
		want  Check
	}{
		{"main effects", nil, Check{Exists: true, Identifiable: true}},
		{"all pairs: not identifiable", []Pair{ab, ac, bc}, Check{Exists: true, Identifiable: false}},
		{"A:B: estimate not finite", []Pair{ab}, Check{Exists: false, Identifiable: true}},
		{"A:C and B:C: both tests pass", []Pair{ac, bc}, Check{Exists: true, Identifiable: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckModel(tab, tt.terms); got != tt.want {
				t.Errorf("CheckModel = %+v, want %+v", got, tt.want)
			}
		})
	}
	_, err := FitModel(tab, []Pair{ab})
	var me *ModelError
	if !errors.As(err, &me) || me.Check.Exists {
		t.Errorf("FitModel(A:B) error = %v, want a *ModelError for a non-finite estimate", err)
	}
}

// TestCheckModelReferenceTables: every reference table supports its
// main-effects model; the UK tables' empty LA:GP overlap is handled by
// fixing its cells at zero, which SparseMSE accepts.
func TestCheckModelReferenceTables(t *testing.T) {
	for _, name := range []string{"UKdat", "UKdat_5", "UKdat_4", "Ned", "Ned_5", "NewOrl", "NewOrl_5", "Western", "Kosovo"} {
		tab := loadTable(t, name)
		if c := CheckModel(tab, nil); !c.OK() {
			t.Errorf("%s main effects: %+v", name, c)
		}
	}
	uk := loadTable(t, "UKdat_5")
	lagp := Pair{0, 4}
	if uk.Overlap(lagp.I, lagp.J) != 0 {
		t.Fatal("LA and GP overlap in UKdat_5")
	}
	f, err := FitModel(uk, []Pair{lagp})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.EmptyTerms) != 1 || len(f.Coef) != 6 || f.DF != 31-6-8 {
		t.Errorf("LA:GP fit: empty %v, %d coefficients, df %d", f.EmptyTermNames(), len(f.Coef), f.DF)
	}
}

func TestCheckLists(t *testing.T) {
	tab, _ := NewTable([]string{"A", "B", "C"})
	tab.Set(Pattern([]bool{true, false, false}), 5)
	tab.Set(Pattern([]bool{true, true, false}), 2)
	var me *ModelError
	if _, err := FitModel(tab, nil); !errors.As(err, &me) {
		t.Errorf("list C with no case: error %v", err)
	}
	tab.Set(Pattern([]bool{true, false, true}), 2)
	if _, err := FitModel(tab, nil); !errors.As(err, &me) {
		t.Errorf("list A with every case: error %v", err)
	}
}

func TestMaxMinEntry(t *testing.T) {
	// Independence in a 2x2 table without the (0,0) cell: cells 10, 01, 11
	// with intercept, A and B is saturated; x = y is the only solution, so
	// the optimum is the smallest count (relative to the largest total).
	tab, _ := NewTable([]string{"A", "B"})
	tab.Set(1, 10)
	tab.Set(2, 20)
	tab.Set(3, 5)
	d := buildDesign(tab, nil)
	got := maxMinEntry(d.x, d.sufficientStats())
	if want := 5.0 / 35; got < want-1e-12 || got > want+1e-12 {
		t.Errorf("optimum %g, want %g", got, want)
	}
	tab.Set(3, 0)
	if got := maxMinEntry(d.x, buildDesign(tab, nil).sufficientStats()); got > existenceTolerance {
		t.Errorf("no overlap: optimum %g, want 0", got)
	}
}

func TestColumnRank(t *testing.T) {
	x := newMatrix(4, 3)
	for i, row := range [][]float64{{1, 0, 1}, {1, 1, 2}, {1, 0, 1}, {1, 1, 2}} {
		for j, v := range row {
			x.set(i, j, v)
		}
	}
	if r := columnRank(x); r != 2 {
		t.Errorf("rank = %d, want 2 (third column = first + second)", r)
	}
}
