package mse

import (
	"context"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// referenceRow is one line of testdata/reference_estimates.csv.
type referenceRow struct {
	dataset, tool, method, notes string
	point, lo, hi                float64
}

func readReferences(t *testing.T) []referenceRow {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "reference_estimates.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("reference number %q: %v", s, err)
		}
		return v
	}
	var rows []referenceRow
	for _, r := range recs[1:] {
		rows = append(rows, referenceRow{dataset: r[0], tool: r[3], method: r[4], notes: r[10], point: num(r[5]), lo: num(r[6]), hi: num(r[7])})
	}
	return rows
}

func loadTable(t testing.TB, name string) *Table {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadCSV(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tab
}

// referenceOptions maps a reference row to the options that reproduce it,
// and reports false for the rows this package does not implement (LCMCR,
// Rcapture's search over all models, published figures).
func referenceOptions(r referenceRow) (Options, bool) {
	switch {
	case strings.HasPrefix(r.tool, "SparseMSE") && r.method == "main effects only":
		return DefaultOptions(MethodMain), true
	case strings.HasPrefix(r.tool, "SparseMSE") && strings.HasPrefix(r.method, "stepwise (pthresh=0.02)"),
		strings.HasPrefix(r.tool, "SparseMSE") && r.method == "stepwise = main effects":
		return DefaultOptions(MethodStepwise), true
	case strings.HasPrefix(r.tool, "modslavmse") && r.method == "main effects only":
		o := DefaultOptions(MethodMain)
		o.Interval = IntervalProfile
		return o, true
	case strings.HasPrefix(r.tool, "modslavmse") && strings.HasPrefix(r.method, "BHS stepwise AIC"):
		o := DefaultOptions(MethodAIC)
		o.Interval = IntervalProfile
		return o, true
	}
	return Options{}, false
}

// TestReferenceEstimates reproduces every SparseMSE and modslavmse/Rcapture
// estimate of reference_estimates.csv to the unit (Kosovo's, which
// modslavmse rounds to 0.1 thousand, to that rounding), and the terms the
// reference names.
func TestReferenceEstimates(t *testing.T) {
	covered, roundedOff := 0, 0
	for _, ref := range readReferences(t) {
		if ref.method == "stepwise + BCa bootstrap (nboot=200 iseed=1234)" {
			continue // TestBootstrapReference
		}
		opts, ok := referenceOptions(ref)
		if !ok {
			continue
		}
		covered++
		t.Run(ref.dataset+"/"+ref.tool+"/"+ref.method, func(t *testing.T) {
			res, err := Estimate(context.Background(), loadTable(t, ref.dataset), opts)
			if err != nil {
				t.Fatal(err)
			}
			// "To the unit": within one case of the reference. The
			// reference holds R's figures rounded to whole cases, and two of
			// ours lie just under a half where R's rounded up (Ned main
			// effects 52823.46 against 52824, Ned stepwise upper limit
			// 133991.47 against 133992); equality after rounding would make
			// the test hinge on R's last iterate, not on the method.
			tol := 1.0
			if strings.Contains(ref.notes, "rounded to 0.1k") {
				tol = 50 // modslavmse printed thousands to one decimal
			}
			got := [3]float64{res.Total, res.Low, res.High}
			want := [3]float64{ref.point, ref.lo, ref.hi}
			for i := range got {
				if tol == 1 && math.Round(got[i]) != want[i] {
					roundedOff++
				}
				if math.Abs(got[i]-want[i]) >= tol {
					t.Errorf("estimate (low, high) = %.3f, want %v within %g", got, want, tol)
					break
				}
			}
			if terms, ok := referenceTerms(ref); ok && !slices.Equal(res.Fit.TermNames(), terms) {
				t.Errorf("terms = %v, want %v", res.Fit.TermNames(), terms)
			}
		})
	}
	if roundedOff > 2 {
		t.Errorf("%d figures differ from the reference after rounding; only the two Ned figures named above are known to", roundedOff)
	}
	if covered < 20 {
		t.Errorf("only %d reference rows checked; the reference file lost rows or its wording changed", covered)
	}
}

// referenceTerms extracts "terms A:B C:D" or "term A:B" from the notes.
func referenceTerms(r referenceRow) ([]string, bool) {
	if r.method == "stepwise = main effects" {
		return []string{}, true
	}
	for _, prefix := range []string{"terms ", "term "} {
		if i := strings.Index(r.notes, prefix); i >= 0 {
			return strings.Fields(r.notes[i+len(prefix):]), true
		}
	}
	return nil, false
}

// TestPublishedUKRange checks that the Home Office model reproduces the
// published "between 10,000 and 13,000 potential victims" (Silverman 2014),
// which is its interval rounded to thousands.
func TestPublishedUKRange(t *testing.T) {
	res, err := Estimate(context.Background(), loadTable(t, "UKdat_5"), DefaultOptions(MethodStepwise))
	if err != nil {
		t.Fatal(err)
	}
	if lo, hi := math.Round(res.Low/1000)*1000, math.Round(res.High/1000)*1000; lo != 10000 || hi != 13000 {
		t.Errorf("interval rounded to thousands = %v-%v, want 10000-13000", lo, hi)
	}
}

// TestBootstrapReference compares the BCa interval with SparseMSE's
// (11,313; 8,922-15,653 with 200 replicates, seed 1234). The random streams
// differ (R's Mersenne Twister and rmultinom against PCG here), so the limits
// can only agree up to Monte Carlo error, which for the extreme quantiles BCa
// picks here (z0 is about -0.45) is large: the test allows 15%, and checks
// exact reproducibility for a fixed seed.
func TestBootstrapReference(t *testing.T) {
	if testing.Short() {
		t.Skip("bootstrap of 1000 replicates")
	}
	tab := loadTable(t, "UKdat_5")
	o := DefaultOptions(MethodStepwise)
	o.Interval = IntervalBootstrap
	res, err := Estimate(context.Background(), tab, o)
	if err != nil {
		t.Fatal(err)
	}
	if math.Round(res.Total) != 11313 {
		t.Errorf("point = %.2f, want 11313", res.Total)
	}
	within := func(got, want float64) bool { return math.Abs(got-want) <= 0.15*want }
	if !within(res.Low, 8922) || !within(res.High, 15653) {
		t.Errorf("BCa interval %.0f-%.0f too far from SparseMSE's 8922-15653", res.Low, res.High)
	}
	if res.Low >= res.Total || res.High <= res.Total {
		t.Errorf("BCa interval %.0f-%.0f does not contain the estimate %.0f", res.Low, res.High, res.Total)
	}
	if b := res.Bootstrap; b.Failed != 0 || len(b.Replicates) != DefaultReplicates {
		t.Errorf("replicates %d, failed %d", len(b.Replicates), b.Failed)
	}
	o.Replicates = 50
	a, err := Estimate(context.Background(), tab, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Estimate(context.Background(), tab, o)
	if err != nil {
		t.Fatal(err)
	}
	if a.Low != b.Low || a.High != b.High || !slices.Equal(a.Bootstrap.Replicates, b.Bootstrap.Replicates) {
		t.Errorf("same seed gave %v-%v and %v-%v", a.Low, a.High, b.Low, b.High)
	}
	o.Seed++
	c, err := Estimate(context.Background(), tab, o)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(a.Bootstrap.Replicates, c.Bootstrap.Replicates) {
		t.Error("different seeds drew the same replicates")
	}
}
