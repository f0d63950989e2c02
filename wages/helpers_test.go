package wages

import "testing"

// The helpers below keep the table tests readable: amounts and quantities
// are written as decimal strings, exactly as a user would type them.

func dec(t testing.TB, s string) Decimal {
	t.Helper()
	d, err := ParseDecimal(s)
	if err != nil {
		t.Fatalf("ParseDecimal(%q): %v", s, err)
	}
	return d
}

func day(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func amt(t testing.TB, cur Currency, s string) Amount {
	t.Helper()
	a, err := cur.Amount(dec(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func currency(t testing.TB, code string) Currency {
	t.Helper()
	c, ok := LookupCurrency(code)
	if !ok {
		t.Fatalf("no currency %s", code)
	}
	return c
}

// usRules are US federal rules of 2009 as a test configuration: $6.55 from
// 24 July 2008, $7.25 from 24 July 2009 (29 U.S.C. 206 as amended in 2007),
// 40 hours a week, time and a half, 5% simple interest.
func usRules(t testing.TB, asOf string) Rules {
	return Rules{
		Currency: currency(t, "USD"),
		MinimumWage: []MinimumWage{
			{From: day(t, "2008-07-24"), Hourly: dec(t, "6.55")},
			{From: day(t, "2009-07-24"), Hourly: dec(t, "7.25")},
		},
		NormalHoursPerWeek: dec(t, "40"),
		OvertimePremium:    dec(t, "0.5"),
		AnnualInterestRate: dec(t, "0.05"),
		AsOf:               day(t, asOf),
	}
}

// period builds a period of the given dates, hours and cash paid.
func period(t testing.TB, cur Currency, start, end, hours, paid string, deductions ...Deduction) Period {
	return Period{
		Start:       day(t, start),
		End:         day(t, end),
		HoursWorked: dec(t, hours),
		Paid:        amt(t, cur, paid),
		Deductions:  deductions,
	}
}

func sumOf(t testing.TB, amounts ...Amount) Amount {
	t.Helper()
	var s Amount
	for _, a := range amounts {
		var err error
		if s, err = s.add(a); err != nil {
			t.Fatal(err)
		}
	}
	return s
}
