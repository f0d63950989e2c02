package wages

import (
	"fmt"
	"math/big"
)

// daysPerYear is the day-count basis of rule 7: actual days over 365.
const daysPerYear = 365

// Compute validates a claim and computes what the worker is owed under
// rules 1 to 9 of shared/domain/wages.md. Bad input returns InputErrors.
func Compute(c Claim) (Result, error) {
	if err := c.Validate(); err != nil {
		return Result{}, err
	}
	res := Result{
		Currency: c.Rules.Currency,
		AsOf:     c.Rules.AsOf,
		Rules:    c.Rules,
		Periods:  make([]PeriodResult, 0, len(c.Periods)),
		Costs:    make([]CostResult, 0, len(c.Costs)),
	}
	for i, per := range c.Periods {
		pr, err := c.computePeriod(per)
		if err != nil {
			return Result{}, InputErrors{{Field: fmt.Sprintf("periods[%d]", i), Problem: err.Error()}}
		}
		res.Periods = append(res.Periods, pr)
		part := Breakdown{
			Underpayment:       pr.Underpayment,
			UnpaidOvertime:     pr.UnpaidOvertime,
			UnlawfulDeductions: pr.UnlawfulDeductions,
			Interest:           pr.Interest,
		}
		if err := res.Totals.addPart(part); err != nil {
			return Result{}, InputErrors{{Field: "periods", Problem: err.Error()}}
		}
		if pr.Estimated {
			if err := res.FromEstimatedHours.addPart(part); err != nil {
				return Result{}, InputErrors{{Field: "periods", Problem: err.Error()}}
			}
		}
	}
	for i, cost := range c.Costs {
		cr, err := c.computeCost(cost)
		if err == nil {
			res.Costs = append(res.Costs, cr)
			err = res.Totals.addPart(Breakdown{RecruitmentCosts: cr.Amount, Interest: cr.Interest})
		}
		if err != nil {
			return Result{}, InputErrors{{Field: fmt.Sprintf("costs_paid_by_worker[%d]", i), Problem: err.Error()}}
		}
	}
	return res, nil
}

// computePeriod applies rules 1 to 5 and 7 to one period.
func (c Claim) computePeriod(per Period) (PeriodResult, error) {
	cur := c.Rules.Currency
	pr := PeriodResult{
		Start:        per.Start,
		End:          per.End,
		Days:         per.Days(),
		Estimated:    per.Estimated,
		AgreedHourly: c.AgreedHourly,
		HoursWorked:  per.HoursWorked,
		Paid:         per.Paid,
	}

	// Rule 1: the higher of the agreed rate and the minimum wage in force
	// at the period's start. Validate guarantees an entry exists.
	pr.MinimumWage, _ = minimumWageAt(c.Rules.MinimumWage, per.Start)
	pr.HourlyRate = pr.MinimumWage.Hourly
	if c.AgreedHourly.Cmp(pr.HourlyRate) > 0 {
		pr.HourlyRate = c.AgreedHourly
	}
	rate := pr.HourlyRate.Rat()
	otRate := new(big.Rat).Add(big.NewRat(1, 1), c.Rules.OvertimePremium.Rat())
	otRate.Mul(otRate, rate)
	pr.OvertimeHourlyRate = quantityOf(otRate)

	// Rule 2: normal hours allowed = normal hours per week × days / 7,
	// days counting both the start and end dates; overtime is the rest.
	limit := new(big.Rat).Mul(c.Rules.NormalHoursPerWeek.Rat(), big.NewRat(int64(pr.Days), 7))
	worked := per.HoursWorked.Rat()
	normal, overtime := new(big.Rat).Set(worked), new(big.Rat)
	if worked.Cmp(limit) > 0 {
		normal.Set(limit)
		overtime.Sub(worked, limit)
	}
	pr.NormalHoursLimit = quantityOf(limit)
	pr.NormalHours = quantityOf(normal)
	pr.OvertimeHours = quantityOf(overtime)

	// Rule 3 with rule 8: normal pay and overtime pay are each rounded to
	// the minor unit once; every later figure is exact in minor units, so
	// the parts of rule 5 add up and paying them settles the period.
	var err error
	if pr.NormalPayDue, err = minorUnits(new(big.Rat).Mul(normal, rate), cur.Exponent); err != nil {
		return pr, fmt.Errorf("normal pay due: %w", err)
	}
	if pr.OvertimePayDue, err = minorUnits(new(big.Rat).Mul(overtime, otRate), cur.Exponent); err != nil {
		return pr, fmt.Errorf("overtime pay due: %w", err)
	}
	if pr.WagesDue, err = pr.NormalPayDue.add(pr.OvertimePayDue); err != nil {
		return pr, fmt.Errorf("wages due: %w", err)
	}

	// Rule 4: paid plus lawful deductions is credited; unlawful ones are not.
	for _, d := range per.Deductions {
		sum := &pr.UnlawfulDeductionsTaken
		if d.Lawful {
			sum = &pr.LawfulDeductions
		}
		if *sum, err = sum.add(d.Amount); err != nil {
			return pr, fmt.Errorf("deductions: %w", err)
		}
	}
	if pr.Credited, err = pr.Paid.add(pr.LawfulDeductions); err != nil {
		return pr, fmt.Errorf("credited: %w", err)
	}

	// Rule 5: arrears, attributed first to unlawful deductions, then to
	// unpaid overtime, the remainder to underpayment of normal hours.
	if pr.WagesDue > pr.Credited {
		pr.Arrears = pr.WagesDue - pr.Credited // both non-negative: no overflow
	}
	pr.UnlawfulDeductions = minAmount(pr.Arrears, pr.UnlawfulDeductionsTaken)
	pr.UnpaidOvertime = minAmount(pr.Arrears-pr.UnlawfulDeductions, pr.OvertimePayDue)
	pr.Underpayment = pr.Arrears - pr.UnlawfulDeductions - pr.UnpaidOvertime

	// Rule 7: interest from the day after the period's end to as_of.
	pr.InterestDays, pr.Interest, err = c.interest(pr.Arrears, per.End.AddDays(1))
	if err != nil {
		return pr, fmt.Errorf("interest: %w", err)
	}
	if pr.Total, err = pr.Arrears.add(pr.Interest); err != nil {
		return pr, fmt.Errorf("total: %w", err)
	}
	return pr, nil
}

// computeCost applies rules 6 and 7 to one recruitment cost: reimbursable
// in full (ILO General principles and operational guidelines for fair
// recruitment, 2019: no fees or related costs charged to workers), with
// interest from the payment date.
func (c Claim) computeCost(cost Cost) (CostResult, error) {
	cr := CostResult{Date: cost.Date, Kind: cost.Kind, Amount: cost.Amount}
	var err error
	if cr.InterestDays, cr.Interest, err = c.interest(cost.Amount, cost.Date); err != nil {
		return cr, fmt.Errorf("interest: %w", err)
	}
	if cr.Total, err = cr.Amount.add(cr.Interest); err != nil {
		return cr, fmt.Errorf("total: %w", err)
	}
	return cr, nil
}

// interest is rule 7: simple interest on a rounded amount at the annual
// rate, for the actual days from the first day (counted) to as_of
// (counted), over 365, rounded once. No days, no interest.
func (c Claim) interest(principal Amount, from Date) (days int, interest Amount, err error) {
	days = c.Rules.AsOf.Sub(from) + 1
	if days <= 0 || principal == 0 {
		return max(days, 0), 0, nil
	}
	r := new(big.Rat).SetInt64(int64(principal))
	r.Mul(r, c.Rules.AnnualInterestRate.Rat())
	r.Mul(r, big.NewRat(int64(days), daysPerYear))
	interest, err = roundHalfAway(r)
	return days, interest, err
}

// addPart adds each component of part to b and keeps Total the sum of
// the components.
func (b *Breakdown) addPart(part Breakdown) error {
	fields := []struct {
		dst *Amount
		v   Amount
	}{
		{&b.Underpayment, part.Underpayment},
		{&b.UnpaidOvertime, part.UnpaidOvertime},
		{&b.UnlawfulDeductions, part.UnlawfulDeductions},
		{&b.RecruitmentCosts, part.RecruitmentCosts},
		{&b.Interest, part.Interest},
	}
	for _, f := range fields {
		sum, err := f.dst.add(f.v)
		if err != nil {
			return err
		}
		if b.Total, err = b.Total.add(f.v); err != nil {
			return err
		}
		*f.dst = sum
	}
	return nil
}
