package wages

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchClaimJSON builds the JSON of a claim of n weekly periods with two
// deductions each, half of them estimated, and one fee.
func benchClaimJSON(n int) []byte {
	type m = map[string]any
	start := NewDate(2010, 1, 4)
	var periods []m
	for i := range n {
		s := start.AddDays(7 * i)
		periods = append(periods, m{
			"start": s.String(), "end": s.AddDays(6).String(),
			"hours_worked": fmt.Sprintf("%d.5", 40+i%30), "paid": fmt.Sprintf("%d.25", 100+i%50),
			"estimated": i%2 == 0,
			"deductions": []m{
				{"kind": "housing", "amount": "20", "lawful": true},
				{"kind": "fine", "amount": "15.50", "lawful": false},
			},
		})
	}
	claim := m{
		"rules": m{
			"currency": "USD",
			"minimum_wage_hourly": []m{
				{"from": "2009-07-24", "hourly": "7.25"},
				{"from": "2014-01-01", "hourly": "8.05"},
				{"from": "2018-01-01", "hourly": "9.10"},
			},
			"normal_hours_per_week": 40, "overtime_premium": "0.5", "annual_interest_rate": "0.05",
			"as_of": start.AddDays(7*n + 30).String(),
		},
		"agreed_hourly":        "7.50",
		"periods":              periods,
		"costs_paid_by_worker": []m{{"date": "2009-12-01", "kind": "recruitment fee", "amount": "1500"}},
	}
	data, err := json.Marshal(claim)
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkDecodeAndCompute measures the whole "flare wages" path without
// I/O: decode, validate, compute and encode a claim of 52 and 520 weekly
// periods (one and ten years).
func BenchmarkDecodeAndCompute(b *testing.B) {
	for _, n := range []int{52, 520} {
		data := benchClaimJSON(n)
		b.Run(fmt.Sprintf("weeks=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				c, err := DecodeClaim(data)
				if err != nil {
					b.Fatal(err)
				}
				res, err := Compute(c)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := json.Marshal(res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkComputeUSRateTable computes 52 years of weekly periods
// (1968-2020) in Washington against the full 1 January rate table of the
// shared US data set (53 entries), the largest real table at hand. It reads
// shared/data/wages/..., found by walking up from this directory, and skips
// when it is absent.
func BenchmarkComputeUSRateTable(b *testing.B) {
	path, ok := findSharedData("wages/us-state-minimum-wage/minimum_wage_by_state_1968_2020.csv")
	if !ok {
		b.Skip("shared/data/wages not found above the package directory; the benchmark needs the full US minimum wage table")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	usd, _ := LookupCurrency("USD")
	c := Claim{Rules: Rules{
		Currency:           usd,
		NormalHoursPerWeek: NewDecimal(40, 0),
		OvertimePremium:    NewDecimal(5, 1),
		AnnualInterestRate: NewDecimal(5, 2),
		AsOf:               NewDate(2021, 1, 1),
	}}
	for _, rec := range records[1:] {
		if rec[1] != "Washington" {
			continue
		}
		year, err := strconv.Atoi(rec[0])
		if err != nil {
			b.Fatal(err)
		}
		rate, err := ParseDecimal(rec[6])
		if err != nil {
			b.Fatal(err)
		}
		c.Rules.MinimumWage = append(c.Rules.MinimumWage, MinimumWage{From: NewDate(year, 1, 1), Hourly: rate})
	}
	for d := NewDate(1968, 1, 1); d.Before(NewDate(2020, 12, 25)); d = d.AddDays(7) {
		c.Periods = append(c.Periods, Period{Start: d, End: d.AddDays(6), HoursWorked: NewDecimal(555, 1), Paid: 5000})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compute(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(c.Periods)), "periods")
}

// findSharedData looks for shared/data/<rel> in this directory and its
// parents, or under $FLARE_SHARED_DATA.
func findSharedData(rel string) (string, bool) {
	if dir := os.Getenv("FLARE_SHARED_DATA"); dir != "" {
		p := filepath.Join(dir, rel)
		_, err := os.Stat(p)
		return p, err == nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
