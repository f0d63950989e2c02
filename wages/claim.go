package wages

import "fmt"

// maxHoursPerWeek is the number of hours in a week, the ceiling of any
// weekly hours limit.
const maxHoursPerWeek = 7 * 24

// Claim is the input of the computation (shared/domain/wages.md, "Inputs"):
// a country's rules, the rate the worker was promised, the worker's pay
// periods and the recruitment costs the worker paid.
type Claim struct {
	Rules Rules
	// AgreedHourly is the hourly rate the worker was promised; zero if
	// nothing was agreed.
	AgreedHourly Decimal
	// Periods are contiguous pay periods in chronological order.
	Periods []Period
	// Costs are recruitment fees and related costs the worker paid.
	Costs []Cost
}

// Rules are the legal numbers of one country: configuration, never
// constants of this package.
type Rules struct {
	Currency Currency
	// MinimumWage is the hourly minimum wage over time; each entry is in
	// force from its date until the next entry's date.
	MinimumWage []MinimumWage
	// NormalHoursPerWeek is the weekly limit of normal hours; hours beyond
	// it (prorated per rule 2) are overtime.
	NormalHoursPerWeek Decimal
	// OvertimePremium is the overtime premium as a fraction: 0.5 means
	// time and a half.
	OvertimePremium Decimal
	// AnnualInterestRate is the simple annual interest rate as a fraction:
	// 0.05 means 5% a year.
	AnnualInterestRate Decimal
	// AsOf is the day interest runs to.
	AsOf Date
}

// MinimumWage is one entry of a minimum wage table: the hourly minimum in
// force from From onwards.
type MinimumWage struct {
	From   Date
	Hourly Decimal
}

// Period is one pay period of the worker.
type Period struct {
	Start, End Date
	// HoursWorked is every hour worked in the period, normal and overtime.
	HoursWorked Decimal
	// Paid is the cash the worker actually received for the period.
	Paid       Amount
	Deductions []Deduction
	// Estimated is true when the hours come from the worker's own account
	// because the employer kept no reliable records.
	Estimated bool
}

// Days returns the number of days of the period, counting both the start
// and the end date (rule 2).
func (p Period) Days() int { return p.End.Sub(p.Start) + 1 }

// Deduction is an amount the employer kept from the worker's pay.
type Deduction struct {
	Kind   string
	Amount Amount
	// Lawful deductions are credited to the employer as paid (rule 4);
	// unlawful ones are not, since the worker never received the money.
	Lawful bool
}

// Cost is a recruitment fee or related cost the worker paid.
type Cost struct {
	Date   Date
	Kind   string
	Amount Amount
}

// Validate checks a claim against the input rules of the specification and
// returns InputErrors naming every field at fault, or nil.
func (c Claim) Validate() error {
	var p problems
	c.Rules.validate(&p)
	if c.AgreedHourly.Sign() < 0 {
		p.add("agreed_hourly", "must not be negative")
	}
	for i, per := range c.Periods {
		c.validatePeriod(&p, i, per)
	}
	if last, ok := c.lastPeriod(); ok && !c.Rules.AsOf.IsZero() && c.Rules.AsOf.Before(last.End) {
		p.add("rules.as_of", "%s is before the end of the last period (%s): a claim covers past periods only", c.Rules.AsOf, last.End)
	}
	for i, cost := range c.Costs {
		c.validateCost(&p, i, cost)
	}
	return p.err()
}

// lastPeriod returns the period that ends last.
func (c Claim) lastPeriod() (Period, bool) {
	var last Period
	for _, per := range c.Periods {
		if per.End.After(last.End) {
			last = per
		}
	}
	return last, !last.End.IsZero()
}

func (r Rules) validate(p *problems) {
	if known, ok := LookupCurrency(r.Currency.Code); !ok {
		p.add("rules.currency", "unknown currency %q (expected an ISO 4217 code such as USD)", r.Currency.Code)
	} else if known != r.Currency {
		p.add("rules.currency", "%s has %d decimal places in ISO 4217, not %d", known.Code, known.Exponent, r.Currency.Exponent)
	}
	if len(r.MinimumWage) == 0 {
		p.add("rules.minimum_wage_hourly", "at least one {from, hourly} entry is required")
	}
	seen := map[Date]int{}
	for i, mw := range r.MinimumWage {
		field := fmt.Sprintf("rules.minimum_wage_hourly[%d]", i)
		if mw.From.IsZero() {
			p.add(field+".from", "a date is required")
		} else if j, dup := seen[mw.From]; dup {
			p.add(field+".from", "%s is already the date of rules.minimum_wage_hourly[%d]", mw.From, j)
		} else {
			seen[mw.From] = i
		}
		if mw.Hourly.Sign() < 0 {
			p.add(field+".hourly", "must not be negative")
		}
	}
	if r.NormalHoursPerWeek.Sign() <= 0 {
		p.add("rules.normal_hours_per_week", "must be more than 0")
	} else if r.NormalHoursPerWeek.Cmp(NewDecimal(maxHoursPerWeek, 0)) > 0 {
		p.add("rules.normal_hours_per_week", "%s is more than the %d hours of a week", r.NormalHoursPerWeek, maxHoursPerWeek)
	}
	if r.OvertimePremium.Sign() < 0 {
		p.add("rules.overtime_premium", "must not be negative")
	}
	if r.AnnualInterestRate.Sign() < 0 {
		p.add("rules.annual_interest_rate", "must not be negative")
	}
	if r.AsOf.IsZero() {
		p.add("rules.as_of", "a date is required")
	}
}

func (c Claim) validatePeriod(p *problems, i int, per Period) {
	field := fmt.Sprintf("periods[%d]", i)
	switch {
	case per.Start.IsZero():
		p.add(field+".start", "a date is required")
	case i > 0 && !c.Periods[i-1].End.IsZero():
		prev := c.Periods[i-1]
		next := prev.End.AddDays(1)
		if gap := per.Start.Sub(next); gap > 0 {
			p.add(field+".start", "gap of %d day(s) after periods[%d], which ends %s: periods must be contiguous", gap, i-1, prev.End)
		} else if gap < 0 {
			p.add(field+".start", "%s overlaps periods[%d] (%s to %s): periods must be contiguous and in order", per.Start, i-1, prev.Start, prev.End)
		}
	}
	if per.End.IsZero() {
		p.add(field+".end", "a date is required")
	}
	bothDates := !per.Start.IsZero() && !per.End.IsZero()
	if bothDates && per.End.Before(per.Start) {
		p.add(field+".end", "%s is before the start %s", per.End, per.Start)
	}
	if !per.Start.IsZero() && len(c.Rules.MinimumWage) > 0 {
		if _, ok := minimumWageAt(c.Rules.MinimumWage, per.Start); !ok {
			p.add(field+".start", "no minimum wage in force on %s: rules.minimum_wage_hourly starts later", per.Start)
		}
	}
	switch {
	case per.HoursWorked.Sign() < 0:
		p.add(field+".hours_worked", "must not be negative")
	case bothDates && !per.End.Before(per.Start):
		// A day holds 24 hours; more is a typing error (issue 8).
		capacity := NewDecimal(int64(per.Days())*24, 0)
		if per.HoursWorked.Cmp(capacity) > 0 {
			p.add(field+".hours_worked", "%s hours is more than a %d-day period can hold (%s)", per.HoursWorked, per.Days(), capacity)
		}
	}
	if per.Paid < 0 {
		p.add(field+".paid", "must not be negative")
	}
	for j, d := range per.Deductions {
		df := fmt.Sprintf("%s.deductions[%d]", field, j)
		if d.Kind == "" {
			p.add(df+".kind", "a kind is required (e.g. \"housing\")")
		}
		if d.Amount < 0 {
			p.add(df+".amount", "must not be negative")
		}
	}
}

func (c Claim) validateCost(p *problems, i int, cost Cost) {
	field := fmt.Sprintf("costs_paid_by_worker[%d]", i)
	if cost.Date.IsZero() {
		p.add(field+".date", "a date is required")
	} else if !c.Rules.AsOf.IsZero() && c.Rules.AsOf.Before(cost.Date) {
		p.add(field+".date", "%s is after rules.as_of (%s)", cost.Date, c.Rules.AsOf)
	}
	if cost.Kind == "" {
		p.add(field+".kind", "a kind is required (e.g. \"recruitment fee\")")
	}
	if cost.Amount < 0 {
		p.add(field+".amount", "must not be negative")
	}
}

// minimumWageAt returns the hourly minimum wage in force on day d: the
// entry with the latest From on or before d (rule 1).
func minimumWageAt(table []MinimumWage, d Date) (MinimumWage, bool) {
	var best MinimumWage
	found := false
	for _, mw := range table {
		if !mw.From.After(d) && (!found || mw.From.After(best.From)) {
			best, found = mw, true
		}
	}
	return best, found
}
