package wages

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// propertyRuns is how many random claims each property is checked on; the
// generator is seeded, so a failure reproduces.
const propertyRuns = 2000

// randomClaim returns a valid claim with random rules, periods, deductions
// and costs, in a random currency with 0, 2 or 3 decimal places.
func randomClaim(t testing.TB, rng *rand.Rand) Claim {
	codes := []string{"USD", "JPY", "KWD", "EUR"}
	cur := currency(t, codes[rng.IntN(len(codes))])
	randDec := func(maxCoef int64, scale int) Decimal { return NewDecimal(rng.Int64N(maxCoef+1), scale) }
	randAmount := func(maxMajor int64) Amount {
		return Amount(rng.Int64N(maxMajor*pow10[cur.Exponent] + 1))
	}

	start := NewDate(2000, 1, 1).AddDays(rng.IntN(3650))
	c := Claim{Rules: Rules{
		Currency:           cur,
		NormalHoursPerWeek: NewDecimal(1+rng.Int64N(600), 1), // 0.1 .. 60.0
		OvertimePremium:    randDec(100, 2),                  // 0 .. 1
		AnnualInterestRate: randDec(2000, 4),                 // 0 .. 0.2
	}}
	for i := range 1 + rng.IntN(4) {
		c.Rules.MinimumWage = append(c.Rules.MinimumWage, MinimumWage{
			From:   start.AddDays(-1 - i*200 + rng.IntN(100)*(i%2)*3),
			Hourly: randDec(5000, 2+rng.IntN(3)), // up to 50.00 with 2..4 places
		})
	}
	c.Rules.MinimumWage[0].From = start // at least one entry covers the first period
	if rng.IntN(2) == 0 {
		c.AgreedHourly = randDec(6000, 2)
	}
	day := start
	for range 1 + rng.IntN(6) {
		days := 1 + rng.IntN(31)
		per := Period{
			Start:       day,
			End:         day.AddDays(days - 1),
			HoursWorked: NewDecimal(rng.Int64N(int64(days)*24*10+1), 1),
			Paid:        randAmount(3000),
			Estimated:   rng.IntN(3) == 0,
		}
		for range rng.IntN(4) {
			per.Deductions = append(per.Deductions, Deduction{Kind: "k", Amount: randAmount(800), Lawful: rng.IntN(2) == 0})
		}
		c.Periods = append(c.Periods, per)
		day = per.End.AddDays(1)
	}
	for range rng.IntN(4) {
		c.Costs = append(c.Costs, Cost{Date: start.AddDays(-rng.IntN(400)), Kind: "fee", Amount: randAmount(2000)})
	}
	c.Rules.AsOf = day.AddDays(-1 + rng.IntN(800))
	dedupeMinimumWage(&c.Rules)
	return c
}

// dedupeMinimumWage drops entries whose date repeats an earlier one.
func dedupeMinimumWage(r *Rules) {
	seen := map[Date]bool{}
	kept := r.MinimumWage[:0]
	for _, mw := range r.MinimumWage {
		if !seen[mw.From] {
			seen[mw.From] = true
			kept = append(kept, mw)
		}
	}
	r.MinimumWage = kept
}

func mustCompute(t *testing.T, c Claim) Result {
	t.Helper()
	res, err := Compute(c)
	if err != nil {
		t.Fatalf("Compute: %v\nclaim: %+v", err, c)
	}
	return res
}

// TestPropertyComponentsAddUp: the parts of every period add up to its
// arrears and total, and the totals are the sums of the periods and costs
// (rules 5 and 9).
func TestPropertyComponentsAddUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range propertyRuns {
		res := mustCompute(t, randomClaim(t, rng))
		checkAddsUp(t, res)
	}
}

func checkAddsUp(t *testing.T, res Result) {
	t.Helper()
	var sum, est Breakdown
	for i, p := range res.Periods {
		for _, a := range []Amount{p.Underpayment, p.UnpaidOvertime, p.UnlawfulDeductions, p.Interest, p.Arrears} {
			if a < 0 {
				t.Fatalf("period %d has a negative figure: %+v", i, p)
			}
		}
		if p.UnlawfulDeductions+p.UnpaidOvertime+p.Underpayment != p.Arrears {
			t.Fatalf("period %d: parts do not add up to arrears: %+v", i, p)
		}
		if p.Arrears+p.Interest != p.Total || p.NormalPayDue+p.OvertimePayDue != p.WagesDue {
			t.Fatalf("period %d: total or wages due do not add up: %+v", i, p)
		}
		if p.UnpaidOvertime > p.OvertimePayDue || p.UnlawfulDeductions > p.UnlawfulDeductionsTaken {
			t.Fatalf("period %d: a part exceeds its cap: %+v", i, p)
		}
		part := Breakdown{Underpayment: p.Underpayment, UnpaidOvertime: p.UnpaidOvertime, UnlawfulDeductions: p.UnlawfulDeductions, Interest: p.Interest}
		if err := sum.addPart(part); err != nil {
			t.Fatal(err)
		}
		if p.Estimated {
			if err := est.addPart(part); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range res.Costs {
		if c.Amount+c.Interest != c.Total {
			t.Fatalf("cost does not add up: %+v", c)
		}
		if err := sum.addPart(Breakdown{RecruitmentCosts: c.Amount, Interest: c.Interest}); err != nil {
			t.Fatal(err)
		}
	}
	tot := res.Totals
	if tot != sum || est != res.FromEstimatedHours {
		t.Fatalf("totals %+v / %+v are not the sums %+v / %+v", tot, res.FromEstimatedHours, sum, est)
	}
	if tot.Underpayment+tot.UnpaidOvertime+tot.UnlawfulDeductions+tot.RecruitmentCosts+tot.Interest != tot.Total {
		t.Fatalf("totals do not add up: %+v", tot)
	}
}

// TestPropertyPayingArrearsSettles: paying each period's computed arrears
// and recomputing leaves nothing owed for the periods.
func TestPropertyPayingArrearsSettles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range propertyRuns {
		c := randomClaim(t, rng)
		res := mustCompute(t, c)
		for i := range c.Periods {
			c.Periods[i].Paid += res.Periods[i].Arrears
		}
		again := mustCompute(t, c)
		for i, p := range again.Periods {
			if p.Arrears != 0 || p.Interest != 0 {
				t.Fatalf("period %d still owes %d + %d interest after paying %d", i, p.Arrears, p.Interest, res.Periods[i].Arrears)
			}
		}
		if again.Totals.Underpayment+again.Totals.UnpaidOvertime+again.Totals.UnlawfulDeductions != 0 {
			t.Fatalf("totals still owe wages: %+v", again.Totals)
		}
	}
}

// TestPropertyMoreHoursNeverOweLess: raising the hours of any period never
// lowers that period's arrears or the claim's total.
func TestPropertyMoreHoursNeverOweLess(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range propertyRuns {
		c := randomClaim(t, rng)
		before := mustCompute(t, c)
		i := rng.IntN(len(c.Periods))
		per := &c.Periods[i]
		// randomClaim gives hours in tenths; raise them by 0.1 .. the room
		// left below 24 hours a day.
		tenths := new(big.Rat).Mul(per.HoursWorked.Rat(), big.NewRat(10, 1)).Num().Int64()
		room := int64(per.Days())*24*10 - tenths
		if room <= 0 {
			continue
		}
		old := per.HoursWorked
		per.HoursWorked = NewDecimal(tenths+1+rng.Int64N(room), 1)
		after := mustCompute(t, c)
		if after.Periods[i].Arrears < before.Periods[i].Arrears || after.Totals.Total < before.Totals.Total {
			t.Fatalf("hours %s -> %s lowered what is owed: arrears %d -> %d, total %d -> %d",
				old, per.HoursWorked, before.Periods[i].Arrears, after.Periods[i].Arrears, before.Totals.Total, after.Totals.Total)
		}
	}
}
