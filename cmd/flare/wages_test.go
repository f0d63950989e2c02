package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wagesClaim is a one-period claim: 14 days, 100 h (80 normal + 20
// overtime) at 6.55, 300.00 paid, a 50.00 unlawful deduction, and a 200.00
// fee. Due 524.00 + 196.50 = 720.50; arrears 420.50 = 50.00 unlawful +
// 196.50 overtime + 174.00 underpayment. Interest at 5% to 2009-07-14 is 0
// for the period (as_of is its end) and 200×0.05×14/365 = 0.3836 → 0.38 for
// the fee paid on 2009-07-01.
const wagesClaim = `{
  "rules": {"currency": "USD", "minimum_wage_hourly": [{"from": "2009-01-01", "hourly": "6.55"}],
            "normal_hours_per_week": 40, "overtime_premium": 0.5, "annual_interest_rate": 0.05,
            "as_of": "2009-07-14"},
  "periods": [{"start": "2009-07-01", "end": "2009-07-14", "hours_worked": 100, "paid": 300,
               "deductions": [{"kind": "fine", "amount": 50, "lawful": false}]}],
  "costs_paid_by_worker": [{"date": "2009-07-01", "kind": "recruitment fee", "amount": 200}]
}`

func writeClaim(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "claim.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWagesJSON(t *testing.T) {
	path := writeClaim(t, wagesClaim)
	for _, args := range [][]string{
		{"wages", "--in", path},
		{"wages", "--in", path, "--format", "json"},
	} {
		stdout, stderr, code := runCLI(t, "", nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var out struct {
			Currency string            `json:"currency"`
			Periods  []json.RawMessage `json:"periods"`
			Totals   map[string]any    `json:"totals"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, stdout)
		}
		want := map[string]any{
			"underpayment":        "174.00",
			"unpaid_overtime":     "196.50",
			"unlawful_deductions": "50.00",
			"recruitment_costs":   "200.00",
			"interest":            "0.38",
			"total":               "620.88",
		}
		if out.Currency != "USD" || len(out.Periods) != 1 {
			t.Errorf("currency %q, %d periods", out.Currency, len(out.Periods))
		}
		for k, v := range want {
			if out.Totals[k] != v {
				t.Errorf("totals.%s = %#v, want %#v (a decimal string)", k, out.Totals[k], v)
			}
		}
		if len(out.Totals) != len(want) {
			t.Errorf("totals has keys %v, want exactly %d", out.Totals, len(want))
		}
	}
}

func TestWagesStdinAndText(t *testing.T) {
	stdout, stderr, code := runCLI(t, wagesClaim, nil, "wages", "--in", "-", "--format", "text")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, line := range []string{
		"Rate: 6.55 an hour (minimum wage 6.55 in force from 2009-01-01; agreed 0)",
		"Hours: 100 worked; normal limit 40 × 14 / 7 = 80; normal 80, overtime 20",
		"Overtime pay due: 20 h × 9.825 = 196.50",
		"Arrears: 420.50 = unlawful deductions 50.00 + unpaid overtime 196.50 + underpayment 174.00",
		"Total                 620.88",
	} {
		if !strings.Contains(stdout, line) {
			t.Errorf("text output lacks %q:\n%s", line, stdout)
		}
	}
}

func TestWagesBadInput(t *testing.T) {
	tests := []struct {
		name    string
		claim   string // written to a file and passed with --in, unless args is set
		args    []string
		wantErr string
	}{
		{"unknown currency", strings.Replace(wagesClaim, `"USD"`, `"USX"`, 1), nil, `rules.currency: unknown currency "USX"`},
		{"end before start", strings.Replace(wagesClaim, `"end": "2009-07-14"`, `"end": "2009-06-30"`, 1), nil, "periods[0].end: 2009-06-30 is before the start"},
		{"too many hours", strings.Replace(wagesClaim, `"hours_worked": 100`, `"hours_worked": 337`, 1), nil, "periods[0].hours_worked: 337 hours is more than a 14-day period can hold (336)"},
		{"negative amount", strings.Replace(wagesClaim, `"amount": 200`, `"amount": -200`, 1), nil, "costs_paid_by_worker[0].amount: must not be negative"},
		{"malformed JSON", wagesClaim[:40], nil, "line 2: malformed JSON"},
		{"missing --in", "", []string{"wages"}, "-in: required"},
		{"bad --format", "", []string{"wages", "--in", "-", "--format", "xml"}, `-format: "xml" is not json or text`},
		{"missing file", "", []string{"wages", "--in", "/nonexistent/claim.json"}, "-in: cannot open"},
		{"stray argument", "", []string{"wages", "--in", "-", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if args == nil {
				args = []string{"wages", "--in", writeClaim(t, tt.claim)}
			}
			stdout, stderr, code := runCLI(t, "", nil, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.wantErr)
			}
			if stdout != "" {
				t.Errorf("stdout should be empty on error: %q", stdout)
			}
		})
	}
}

func TestWagesHelp(t *testing.T) {
	_, stderr, code := runCLI(t, "", nil, "wages", "-h")
	if code != 0 || !strings.Contains(stderr, "--in claim.json") {
		t.Errorf("exit %d, usage %q", code, stderr)
	}
}
