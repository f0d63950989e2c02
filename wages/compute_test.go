package wages

import (
	"testing"
)

// Each case is computed by hand in its comment; amounts are in cents unless
// the currency says otherwise.
func TestComputePeriod(t *testing.T) {
	usd := currency(t, "USD")
	type want struct {
		rate                                   string
		normalPay, overtimePay, arrears        Amount
		unlawful, unpaidOvertime, underpayment Amount
		interestDays                           int
		interest                               Amount
	}
	tests := []struct {
		name  string
		claim func() Claim
		want  want
	}{
		{
			// 14 days: limit 40×14/7 = 80 h; 100 h = 80 + 20 overtime.
			// Rate 6.55 (7.25 starts later). Normal 80×6.55 = 524.00;
			// overtime 20×6.55×1.5 = 196.50; due 720.50 − paid 300 = 420.50,
			// of which 196.50 unpaid overtime, 224.00 underpayment.
			// Interest: 2009-07-15..2009-12-31 = 170 days;
			// 420.50×0.05×170/365 = 9.7925 → 9.79.
			name: "overtime, minimum wage only",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-12-31"), Periods: []Period{
					period(t, usd, "2009-07-01", "2009-07-14", "100", "300"),
				}}
			},
			want: want{"6.55", 52400, 19650, 42050, 0, 19650, 22400, 170, 979},
		},
		{
			// Minimum wage changes mid-claim: the period starting 2009-07-24
			// uses 7.25 (rule 1, rate in force at the start). 70 h < 80 h:
			// 70×7.25 = 507.50, paid 0; interest 2009-08-07..2009-08-31 =
			// 25 days: 507.50×0.05×25/365 = 1.738 → 1.74.
			name: "minimum wage raised on the period's start",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-08-31"), Periods: []Period{
					period(t, usd, "2009-07-24", "2009-08-06", "70", "0"),
				}}
			},
			want: want{"7.25", 50750, 0, 50750, 0, 0, 50750, 25, 174},
		},
		{
			// The rate in force at the start holds for the whole period,
			// even though 7.25 starts in its middle (rule 1).
			name: "minimum wage raised inside the period",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-07-30"), Periods: []Period{
					period(t, usd, "2009-07-17", "2009-07-30", "80", "0"),
				}}
			},
			want: want{"6.55", 52400, 0, 52400, 0, 0, 52400, 0, 0},
		},
		{
			// Agreed 10.00 beats the minimum 6.55. 31 days: limit
			// 40×31/7 = 1240/7 h. 200 h: overtime 160/7 h.
			// Normal 1240/7×10 = 1771.4286 → 1771.43; overtime
			// 160/7×15 = 342.857 → 342.86; due 2114.29; paid 1000 +
			// lawful 100 = 1100 credited; arrears 1014.29: unlawful
			// 50.00 first, then overtime 342.86, rest 621.43.
			name: "agreed rate, prorated limit, lawful and unlawful deductions",
			claim: func() Claim {
				c := Claim{Rules: usRules(t, "2009-03-31"), AgreedHourly: dec(t, "10")}
				c.Periods = []Period{period(t, usd, "2009-03-01", "2009-03-31", "200", "1000",
					Deduction{Kind: "food", Amount: 10000, Lawful: true},
					Deduction{Kind: "fine", Amount: 5000, Lawful: false})}
				return c
			},
			want: want{"10", 177143, 34286, 101429, 5000, 34286, 62143, 0, 0},
		},
		{
			// Unlawful deductions larger than the arrears: 40 h × 6.55 =
			// 262.00 due, paid 0, 500 kept unlawfully: the whole 262.00 is
			// attributed to unlawful deductions, nothing to the rest.
			name: "unlawful deductions larger than the arrears",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-01-07"), Periods: []Period{
					period(t, usd, "2009-01-01", "2009-01-07", "40", "0",
						Deduction{Kind: "debt", Amount: 50000, Lawful: false}),
				}}
			},
			want: want{"6.55", 26200, 0, 26200, 26200, 0, 0, 0, 0},
		},
		{
			// Paid more than due: no arrears, no interest (rule 5 max(0,…)).
			name: "overpaid period",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-12-31"), Periods: []Period{
					period(t, usd, "2009-01-01", "2009-01-07", "40", "300"),
				}}
			},
			want: want{"6.55", 26200, 0, 0, 0, 0, 0, 358, 0},
		},
		{
			// Lawful deductions count as paid: 262.00 due, 200 cash + 62
			// lawful = 262 credited, nothing owed.
			name: "lawful deductions settle the period",
			claim: func() Claim {
				return Claim{Rules: usRules(t, "2009-01-07"), Periods: []Period{
					period(t, usd, "2009-01-01", "2009-01-07", "40", "200",
						Deduction{Kind: "housing", Amount: 6200, Lawful: true}),
				}}
			},
			want: want{"6.55", 26200, 0, 0, 0, 0, 0, 0, 0},
		},
		{
			// Half a cent rounds away from zero: 1 h × 0.005 = 0.005 → 0.01.
			name: "half a minor unit rounds up",
			claim: func() Claim {
				c := Claim{Rules: usRules(t, "2009-01-01")}
				c.Rules.MinimumWage = []MinimumWage{{From: day(t, "2009-01-01"), Hourly: dec(t, "0.005")}}
				c.Periods = []Period{period(t, usd, "2009-01-01", "2009-01-01", "1", "0")}
				return c
			},
			want: want{"0.005", 1, 0, 1, 0, 0, 1, 0, 0},
		},
		{
			// Interest rounding: arrears 1.00 at 36.5% for 5 days =
			// 1.00×0.365×5/365 = 0.005 → 0.01 (half away from zero).
			// Period 2009-01-01..01-01, as_of 2009-01-06: 01-02..01-06.
			name: "interest half a cent",
			claim: func() Claim {
				c := Claim{Rules: usRules(t, "2009-01-06")}
				c.Rules.AnnualInterestRate = dec(t, "0.365")
				c.Rules.MinimumWage = []MinimumWage{{From: day(t, "2009-01-01"), Hourly: dec(t, "1")}}
				c.Periods = []Period{period(t, usd, "2009-01-01", "2009-01-01", "1", "0")}
				return c
			},
			want: want{"1", 100, 0, 100, 0, 0, 100, 5, 1},
		},
		{
			// No premium configured: overtime at the plain rate. 7 days,
			// 48 h a week limit, 60 h: 48×7.25 = 348.00, 12×7.25 = 87.00.
			name: "zero overtime premium, 48-hour week",
			claim: func() Claim {
				c := Claim{Rules: usRules(t, "2010-01-07")}
				c.Rules.OvertimePremium = Decimal{}
				c.Rules.NormalHoursPerWeek = dec(t, "48")
				c.Periods = []Period{period(t, usd, "2010-01-01", "2010-01-07", "60", "0")}
				return c
			},
			want: want{"7.25", 34800, 8700, 43500, 0, 8700, 34800, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Compute(tt.claim())
			if err != nil {
				t.Fatal(err)
			}
			p := res.Periods[0]
			got := want{p.HourlyRate.String(), p.NormalPayDue, p.OvertimePayDue, p.Arrears,
				p.UnlawfulDeductions, p.UnpaidOvertime, p.Underpayment, p.InterestDays, p.Interest}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if p.Total != p.Arrears+p.Interest {
				t.Errorf("total %d != arrears %d + interest %d", p.Total, p.Arrears, p.Interest)
			}
		})
	}
}

// TestComputeOtherMinorUnits checks rounding to minor units other than cents.
func TestComputeOtherMinorUnits(t *testing.T) {
	tests := []struct {
		code, rate, hours string
		want              Amount
	}{
		// 7.5 h × 1013 yen = 7597.5 → 7598 yen (half away from zero).
		{"JPY", "1013", "7.5", 7598},
		// 3 h × 1.2345 KWD = 3.7035 → 3.704 (fils, 3 places).
		{"KWD", "1.2345", "3", 3704},
	}
	for _, tt := range tests {
		cur := currency(t, tt.code)
		c := Claim{Rules: Rules{
			Currency:           cur,
			MinimumWage:        []MinimumWage{{From: day(t, "2020-01-01"), Hourly: dec(t, tt.rate)}},
			NormalHoursPerWeek: dec(t, "40"),
			AsOf:               day(t, "2020-01-01"),
		}, Periods: []Period{period(t, cur, "2020-01-01", "2020-01-01", tt.hours, "0")}}
		res, err := Compute(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Totals.Total; got != tt.want {
			t.Errorf("%s: total %s, want %s", tt.code, cur.Format(got), cur.Format(tt.want))
		}
	}
}

// TestComputeCostsWithInterest: rule 6 and rule 7 for costs, interest from
// the payment date (counted) to as_of (counted).
func TestComputeCostsWithInterest(t *testing.T) {
	usd := currency(t, "USD")
	c := Claim{Rules: usRules(t, "2009-12-31"), Costs: []Cost{
		// 2009-06-01..2009-12-31 = 214 days: 500×0.05×214/365 = 14.658 → 14.66.
		{Date: day(t, "2009-06-01"), Kind: "recruitment fee", Amount: amt(t, usd, "500")},
		// 2009-01-01..2009-12-31 = 365 days: a full year, 1200×0.05 = 60.00.
		{Date: day(t, "2009-01-01"), Kind: "passport", Amount: amt(t, usd, "1200")},
		// Paid on as_of: one day, 100×0.05/365 = 0.0137 → 0.01.
		{Date: day(t, "2009-12-31"), Kind: "transport", Amount: amt(t, usd, "100")},
	}}
	res, err := Compute(c)
	if err != nil {
		t.Fatal(err)
	}
	wantInterest := []struct {
		days     int
		interest Amount
	}{{214, 1466}, {365, 6000}, {1, 1}}
	for i, w := range wantInterest {
		if got := res.Costs[i]; got.InterestDays != w.days || got.Interest != w.interest {
			t.Errorf("cost %d: %d days, interest %d; want %d days, %d", i, got.InterestDays, got.Interest, w.days, w.interest)
		}
	}
	want := Breakdown{RecruitmentCosts: 180000, Interest: 1466 + 6000 + 1, Total: 180000 + 7467}
	if res.Totals != want {
		t.Errorf("totals %+v, want %+v", res.Totals, want)
	}
	if res.FromEstimatedHours != (Breakdown{}) {
		t.Errorf("costs do not rest on hours: %+v", res.FromEstimatedHours)
	}
}

// TestComputeWholeClaim is the claim of testdata/claim_2009.json computed by
// hand: three periods across a minimum-wage change, one of them estimated,
// and a recruitment fee.
func TestComputeWholeClaim(t *testing.T) {
	usd := currency(t, "USD")
	c := Claim{Rules: usRules(t, "2009-12-31")}
	c.Rules.MinimumWage[0].From = day(t, "2009-01-01")
	est := period(t, usd, "2009-07-29", "2009-08-11", "84", "0", Deduction{Kind: "fines", Amount: 70000})
	est.Estimated = true
	c.Periods = []Period{
		period(t, usd, "2009-07-01", "2009-07-14", "100", "300"),
		period(t, usd, "2009-07-15", "2009-07-28", "70", "200",
			Deduction{Kind: "housing", Amount: 5000, Lawful: true},
			Deduction{Kind: "recruitment debt", Amount: 10000}),
		est,
	}
	c.Costs = []Cost{{Date: day(t, "2009-06-01"), Kind: "recruitment fee", Amount: 50000}}
	res, err := Compute(c)
	if err != nil {
		t.Fatal(err)
	}
	// Period 1: 420.50 = 196.50 overtime + 224.00 under; interest 170 days 9.79.
	// Period 2: 458.50 due − 250 credited = 208.50 = 100 unlawful + 108.50
	//   under; interest 156 days: 208.50×0.05×156/365 = 4.4556 → 4.46.
	// Period 3 (estimated): 580 + 43.50 = 623.50, all unlawful (700 kept);
	//   interest 142 days: 623.50×0.05×142/365 = 12.128 → 12.13.
	// Fee: 500 + 14.66.
	want := Breakdown{
		Underpayment:       22400 + 10850,
		UnpaidOvertime:     19650,
		UnlawfulDeductions: 10000 + 62350,
		RecruitmentCosts:   50000,
		Interest:           979 + 446 + 1213 + 1466,
		Total:              179354,
	}
	if res.Totals != want {
		t.Errorf("totals %+v\nwant   %+v", res.Totals, want)
	}
	wantEst := Breakdown{UnlawfulDeductions: 62350, Interest: 1213, Total: 63563}
	if res.FromEstimatedHours != wantEst {
		t.Errorf("from estimated hours %+v, want %+v", res.FromEstimatedHours, wantEst)
	}
}
