package mse

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/estimates.golden")

var goldenTables = []string{"Artificial_3", "UKdat", "UKdat_5", "UKdat_4", "Ned", "Ned_5", "NewOrl", "NewOrl_5", "Western", "Kosovo"}

// TestGoldenEstimates pins every table under every method and analytic
// interval (see testdata/README.md: a regression guard, not a reference).
func TestGoldenEstimates(t *testing.T) {
	var b strings.Builder
	for _, name := range goldenTables {
		tab := loadTable(t, name)
		for _, m := range []Method{MethodMain, MethodStepwise, MethodAIC} {
			for _, iv := range []IntervalMethod{IntervalLogNormal, IntervalProfile} {
				o := DefaultOptions(m)
				o.Interval = iv
				res, err := Estimate(context.Background(), tab, o)
				if err != nil {
					fmt.Fprintf(&b, "%s %s %s: error: %v\n", name, m, iv, err)
					continue
				}
				if res.Low > res.Total || res.Total > res.High || res.Total < float64(res.Observed) {
					t.Errorf("%s %s %s: %g not in [%g, %g] or below observed", name, m, iv, res.Total, res.Low, res.High)
				}
				fmt.Fprintf(&b, "%s %s %s: %.0f (%.0f-%.0f) terms [%s] empty [%s]\n", name, m, iv, res.Total, res.Low, res.High,
					strings.Join(res.Fit.TermNames(), " "), strings.Join(res.Fit.EmptyTermNames(), " "))
			}
		}
	}
	path := filepath.Join("testdata", "estimates.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("estimates differ from %s (run with -update after checking):\n%s", path, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := range max(len(w), len(g)) {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "- %s\n+ %s\n", wl, gl)
		}
	}
	return b.String()
}

func TestOptionsValidation(t *testing.T) {
	tab := loadTable(t, "Western")
	for _, tt := range []struct {
		name   string
		modify func(*Options)
		want   string
	}{
		{"method", func(o *Options) { o.Method = "bic" }, "unknown method"},
		{"interval", func(o *Options) { o.Interval = "wald" }, "unknown interval"},
		{"level", func(o *Options) { o.Level = 1 }, "confidence level"},
		{"pthresh", func(o *Options) { o.PThreshold = -0.1 }, "threshold"},
		{"replicates", func(o *Options) { o.Interval = IntervalBootstrap; o.Replicates = 5 }, "replicates"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions(MethodStepwise)
			tt.modify(&o)
			if _, err := Estimate(context.Background(), tab, o); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestStepwiseThresholdEnds(t *testing.T) {
	tab := loadTable(t, "UKdat_5")
	zero, err := Stepwise(context.Background(), tab, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(zero.Fit.Terms) != 0 {
		t.Errorf("pthresh 0 chose %v, want main effects", zero.Fit.TermNames())
	}
	one, err := Stepwise(context.Background(), tab, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Fit.Terms) != 10 || len(one.Fit.EmptyTerms) != 1 {
		t.Errorf("pthresh 1 chose %v (empty %v), want all 10 pairs with LA:GP empty", one.Fit.TermNames(), one.Fit.EmptyTermNames())
	}
}

func TestBootstrapCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o := DefaultOptions(MethodStepwise)
	o.Interval = IntervalBootstrap
	if _, err := Estimate(ctx, loadTable(t, "UKdat_5"), o); !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// FuzzEstimate runs the whole engine on arbitrary small tables: it must
// never panic, and any estimate it returns must be finite, at least the
// observed count, and inside its interval.
func FuzzEstimate(f *testing.F) {
	f.Add("A,B,C,n\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,1,0,6\n", uint8(1), uint8(0))
	f.Add("A,B,C,n\n1,0,0,4\n0,1,0,3\n0,0,1,2\n1,1,1,1\n1,0,1,2\n", uint8(2), uint8(1))
	f.Add("A,B,n\n1,0,60\n0,1,90\n1,1,30\n", uint8(0), uint8(1))
	f.Add("A,B,C,D,n\n1,0,0,0,9\n0,1,0,0,8\n0,0,1,0,7\n0,0,0,1,6\n1,1,0,0,2\n0,0,1,1,1\n", uint8(2), uint8(0))
	f.Add("A,B,n\n1,0,1\n0,1,1\n1,1,1000000000000\n", uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, in string, method, interval uint8) {
		tab, err := ReadCSV(strings.NewReader(in))
		if err != nil || tab.K() > 5 {
			return
		}
		o := DefaultOptions([]Method{MethodMain, MethodStepwise, MethodAIC}[method%3])
		o.Interval = []IntervalMethod{IntervalLogNormal, IntervalProfile}[interval%2]
		res, err := Estimate(context.Background(), tab, o)
		if err != nil {
			return
		}
		for _, v := range []float64{res.Total, res.Low, res.High} {
			if v != v || v > 1e300 || v < -1e300 {
				t.Fatalf("non-finite result %+v", res)
			}
		}
		obs := float64(res.Observed)
		if res.Total < obs*(1-1e-12) || res.Low > res.Total*(1+1e-9) || res.High < res.Total*(1-1e-9) {
			t.Fatalf("estimate %g outside [%g, %g] or below observed %g", res.Total, res.Low, res.High, obs)
		}
	})
}
