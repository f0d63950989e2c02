package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ukTable is the Home Office 2013 five-list table, shared with package mse.
var ukTable = filepath.Join("..", "..", "mse", "testdata", "UKdat_5.csv")

func TestEstimateJSON(t *testing.T) {
	tests := []struct {
		name           string
		args           []string
		total, low, hi float64
		method, ci     string
		terms          []string
	}{
		{"stepwise log-normal (SparseMSE)", nil, 11313, 9884, 13027, "stepwise", "log-normal",
			[]string{"LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO"}},
		{"AIC profile (Rcapture)", []string{"--method", "aic", "--ci", "profile"}, 11304, 9889, 13063, "aic", "profile",
			[]string{"LA:NG", "NG:GP", "PFNCA:GP", "LA:PFNCA", "GO:GP", "NG:GO"}},
		{"main effects", []string{"--method", "main"}, 13444, 11985, 15133, "main", "log-normal", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, "", nil, append([]string{"estimate", "--in", ukTable}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var got struct {
				Observed   int64    `json:"observed"`
				Unobserved float64  `json:"unobserved"`
				Total      float64  `json:"total"`
				CILow      float64  `json:"ci_low"`
				CIHigh     float64  `json:"ci_high"`
				Terms      []string `json:"terms"`
				Method     string   `json:"method"`
				CI         string   `json:"ci"`
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil {
				t.Fatalf("%v in %s", err, stdout)
			}
			if got.Observed != 2744 || math.Abs(got.Total-got.Unobserved-2744) > 1e-6 {
				t.Errorf("observed %d, unobserved %g, total %g", got.Observed, got.Unobserved, got.Total)
			}
			if r := [3]float64{math.Round(got.Total), math.Round(got.CILow), math.Round(got.CIHigh)}; r != [3]float64{tt.total, tt.low, tt.hi} {
				t.Errorf("estimate %v, want %v", r, [3]float64{tt.total, tt.low, tt.hi})
			}
			if got.Method != tt.method || got.CI != tt.ci || !slices.Equal(got.Terms, tt.terms) {
				t.Errorf("method %q ci %q terms %v", got.Method, got.CI, got.Terms)
			}
		})
	}
}

func TestEstimateText(t *testing.T) {
	in, err := os.ReadFile(ukTable)
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, string(in), nil, "estimate", "--in", "-", "--format", "text")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"Observed:    2744", "Total:       11313 (95% log-normal interval 9884 to 13027)", "Step 1:      + LA:NG", "Meaning:     about 11313 people", "8569 of them on no list"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestEstimateProfileUnbounded(t *testing.T) {
	// Two lists sharing one case: the likelihood barely bounds the total.
	stdout, stderr, code := runCLI(t, "A,B,n\n1,0,50\n0,1,50\n1,1,1\n", nil, "estimate", "--in", "-", "--method", "main", "--ci", "profile")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"ci_high_unbounded": true`) {
		t.Errorf("no unbounded upper limit:\n%s", stdout)
	}
}

func TestEstimateBootstrapSeed(t *testing.T) {
	args := []string{"estimate", "--in", ukTable, "--ci", "bootstrap", "--nboot", "30", "--seed", "7"}
	a, stderr, code := runCLI(t, "", nil, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, _, _ := runCLI(t, "", nil, args...)
	if a != b {
		t.Error("the same seed gave different output")
	}
	if !strings.Contains(a, `"replicates": 30`) || !strings.Contains(a, `"seed": 7`) {
		t.Errorf("bootstrap details missing:\n%s", a)
	}
}

func TestEstimateErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badRow := write("bad.csv", "A,B,C,n\n1,0,0,4\n1,x,0,3\n")
	everyone := write("all.csv", "A,B,n\n1,0,4\n1,1,3\n")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no input", "", []string{}, "-in: required"},
		{"unknown method", "", []string{"--in", ukTable, "--method", "bic"}, `-method: "bic"`},
		{"unknown interval", "", []string{"--in", ukTable, "--ci", "wald"}, `-ci: "wald"`},
		{"unknown format", "", []string{"--in", ukTable, "--format", "xml"}, `-format: "xml"`},
		{"level", "", []string{"--in", ukTable, "--level", "1.5"}, "-level: 1.5"},
		{"pthresh", "", []string{"--in", ukTable, "--pthresh", "2"}, "-pthresh: 2"},
		{"nboot", "", []string{"--in", ukTable, "--nboot", "3"}, "-nboot: 3"},
		{"missing file", "", []string{"--in", filepath.Join(dir, "none.csv")}, "-in: cannot open"},
		{"malformed row", "", []string{"--in", badRow}, `in: line 3: column B: "x" is not 0 or 1`},
		{"empty stdin", "", []string{"--in", "-"}, "in: empty capture table"},
		{"uninformative list", "", []string{"--in", everyone}, "in: list A holds every observed case"},
		{"extra argument", "", []string{"--in", ukTable, "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tt.stdin, nil, append([]string{"estimate"}, tt.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tt.want)
			}
		})
	}
}

func TestEstimateHelp(t *testing.T) {
	_, stderr, code := runCLI(t, "", nil, "estimate", "-h")
	if code != 0 || !strings.Contains(stderr, "Usage: flare estimate --in lists.csv") || !strings.Contains(stderr, "-nboot") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
