package wages

import (
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// usRow is one row of testdata/us_minimum_wage_2006_2012.csv: the state and
// federal hourly minimum wages in force on 1 January of Year, and the
// effective one (the higher of the two) as the data set computed it.
type usRow struct {
	year                          int
	state                         string
	stateRate, federal, effective Decimal
}

func readUSRows(t *testing.T) []usRow {
	t.Helper()
	f, err := os.Open("testdata/us_minimum_wage_2006_2012.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []usRow
	for _, rec := range records[1:] {
		year, err := strconv.Atoi(rec[0])
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, usRow{
			year:      year,
			state:     rec[1],
			stateRate: dec(t, rec[2]),
			federal:   dec(t, rec[4]),
			effective: dec(t, rec[6]),
		})
	}
	return rows
}

// januaryTable builds a minimum wage table from 1 January values.
func januaryTable(t *testing.T, rows []usRow, state string, rate func(usRow) Decimal) []MinimumWage {
	var table []MinimumWage
	for _, r := range rows {
		if r.state == state {
			table = append(table, MinimumWage{From: day(t, fmt.Sprintf("%d-01-01", r.year)), Hourly: rate(r)})
		}
	}
	return table
}

// TestRateTableUSStates runs rule 1 over real rate tables: with the federal
// minimum as the table and the state minimum as the agreed rate, the rate
// of a January period must be the data set's effective minimum wage (the
// higher of the two), for every state and year of the fixture.
func TestRateTableUSStates(t *testing.T) {
	usd := currency(t, "USD")
	rows := readUSRows(t)
	for _, r := range rows {
		c := Claim{
			Rules: Rules{
				Currency:           usd,
				MinimumWage:        januaryTable(t, rows, r.state, func(r usRow) Decimal { return r.federal }),
				NormalHoursPerWeek: dec(t, "40"),
				AsOf:               day(t, "2013-01-01"),
			},
			AgreedHourly: r.stateRate,
			Periods:      []Period{period(t, usd, fmt.Sprintf("%d-01-01", r.year), fmt.Sprintf("%d-01-07", r.year), "40", "0")},
		}
		res, err := Compute(c)
		if err != nil {
			t.Fatalf("%d %s: %v", r.year, r.state, err)
		}
		if got := res.Periods[0].HourlyRate; got != r.effective {
			t.Errorf("%d %s: rate %s, want the effective minimum %s", r.year, r.state, got, r.effective)
		}
		// 40 h at the effective rate, nothing paid.
		want := amt(t, usd, r.effective.String()) * 40
		if res.Totals.Underpayment != want {
			t.Errorf("%d %s: underpayment %s, want %s", r.year, r.state, usd.Format(res.Totals.Underpayment), usd.Format(want))
		}
	}
}

// TestRateTableNeedsEffectiveDates shows why a rate table must hold exact
// effective dates: the federal minimum rose to 7.25 on 24 July 2009
// (29 U.S.C. 206(a)(1)(C), Fair Minimum Wage Act of 2007), but a table of
// 1 January values, like the fixture, only shows it in 2010. August 2009
// in Alabama (no state minimum) is then underpaid by 0.70 an hour.
func TestRateTableNeedsEffectiveDates(t *testing.T) {
	usd := currency(t, "USD")
	rows := readUSRows(t)
	claim := func(table []MinimumWage) Claim {
		return Claim{
			Rules: Rules{Currency: usd, MinimumWage: table, NormalHoursPerWeek: dec(t, "40"), AsOf: day(t, "2009-08-31")},
			Periods: []Period{
				// 31 days, 160 h, all within the 177 1/7 h limit.
				period(t, usd, "2009-08-01", "2009-08-31", "160", "0"),
			},
		}
	}
	january := januaryTable(t, rows, "Alabama", func(r usRow) Decimal { return r.effective })
	exact := append(januaryTable(t, rows, "Alabama", func(r usRow) Decimal { return r.effective }),
		MinimumWage{From: day(t, "2009-07-24"), Hourly: dec(t, "7.25")})

	fromJanuary, err := Compute(claim(january))
	if err != nil {
		t.Fatal(err)
	}
	fromExact, err := Compute(claim(exact))
	if err != nil {
		t.Fatal(err)
	}
	if got := fromJanuary.Periods[0].HourlyRate.String(); got != "6.55" {
		t.Errorf("January table: rate %s, want 6.55", got)
	}
	if got := fromExact.Periods[0].HourlyRate.String(); got != "7.25" {
		t.Errorf("exact table: rate %s, want 7.25", got)
	}
	// 160 h × 0.70 = 112.00 lost by the January table.
	if diff := fromExact.Totals.Total - fromJanuary.Totals.Total; diff != 11200 {
		t.Errorf("difference %s, want 112.00", usd.Format(diff))
	}
}
