package mse

import (
	"math"
	"testing"
)

// TestFitReproducesMargins checks the defining property of a Poisson
// log-linear maximum likelihood fit: the fitted table has the observed
// sufficient statistics (list totals and modelled pairwise overlaps).
func TestFitReproducesMargins(t *testing.T) {
	tab := loadTable(t, "UKdat_5")
	f, err := FitModel(tab, []Pair{{0, 1}, {1, 4}, {0, 4}}) // LA:NG NG:GP LA:GP (empty)
	if err != nil {
		t.Fatal(err)
	}
	d := f.design
	for j := range d.x.cols {
		obs, fit := 0.0, 0.0
		for r := range d.cells {
			obs += d.x.at(r, j) * d.y[r]
			fit += d.x.at(r, j) * f.fitted.mu[r]
		}
		if math.Abs(obs-fit) > 1e-6*math.Max(1, obs) {
			t.Errorf("%s: observed %g, fitted %g", d.names[j], obs, fit)
		}
	}
	if len(f.EmptyTerms) != 1 || f.EmptyTermNames()[0] != "LA:GP" {
		t.Errorf("empty terms %v, want LA:GP", f.EmptyTermNames())
	}
}

// TestLincolnPetersen: with two lists the main-effects model is saturated
// and the estimate is the classical n10 n01 / n11.
func TestLincolnPetersen(t *testing.T) {
	tab, _ := NewTable([]string{"A", "B"})
	tab.Set(1, 60)
	tab.Set(2, 90)
	tab.Set(3, 30)
	f, err := FitModel(tab, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Unobserved(), 60.0*90/30; math.Abs(got-want) > 1e-6 {
		t.Errorf("unobserved = %g, want %g", got, want)
	}
	if f.DF != 0 || f.Deviance > 1e-9 {
		t.Errorf("saturated fit: df %d, deviance %g", f.DF, f.Deviance)
	}
}

// TestLargeCounts: scaling every count by 10^9 scales the estimate by 10^9
// and leaves the fit finite.
func TestLargeCounts(t *testing.T) {
	small := loadTable(t, "UKdat_5")
	big := small.Clone()
	for p := uint(1); p < 1<<small.K(); p++ {
		if err := big.Set(p, small.Count(p)*1e9); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := FitModel(small, nil)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := FitModel(big, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := fb.Total() / (fs.Total() * 1e9); math.Abs(r-1) > 1e-8 {
		t.Errorf("big/small = %.12g, want 1", r)
	}
}
