package wages

import (
	"math/big"
	"strings"
)

// Result is the computation of a claim (rule 9): every component per period
// and per cost, and the totals.
type Result struct {
	Currency Currency
	AsOf     Date
	// Rules are the rules the result was computed with.
	Rules   Rules
	Periods []PeriodResult
	Costs   []CostResult
	Totals  Breakdown
	// FromEstimatedHours is the part of each total that comes from periods
	// whose hours are estimated (rule 9: which figures rest on estimated
	// hours). A total rests on estimated hours when its part here is not 0.
	FromEstimatedHours Breakdown
}

// Breakdown is the sum owed, split into the components of rule 9. Total is
// the sum of the other five.
type Breakdown struct {
	Underpayment       Amount
	UnpaidOvertime     Amount
	UnlawfulDeductions Amount
	RecruitmentCosts   Amount
	Interest           Amount
	Total              Amount
}

// PeriodResult explains the computation of one pay period line by line.
type PeriodResult struct {
	Start, End Date
	Days       int
	// Estimated is true when the period's hours, and therefore every
	// figure below, rest on the worker's own account.
	Estimated bool

	// Rule 1: the rate is the higher of the agreed rate and the minimum
	// wage in force at the period's start (entry MinimumWage).
	MinimumWage        MinimumWage
	AgreedHourly       Decimal
	HourlyRate         Decimal
	OvertimeHourlyRate Quantity // HourlyRate × (1 + overtime premium)

	// Rule 2: normal and overtime hours.
	HoursWorked      Decimal
	NormalHoursLimit Quantity // normal hours per week × Days / 7
	NormalHours      Quantity // min(HoursWorked, NormalHoursLimit)
	OvertimeHours    Quantity // HoursWorked beyond NormalHoursLimit, never negative

	// Rule 3: wages due, each part rounded to the minor unit once (rule 8).
	NormalPayDue   Amount
	OvertimePayDue Amount
	WagesDue       Amount

	// Rule 4: what is credited to the employer.
	Paid                    Amount
	LawfulDeductions        Amount
	UnlawfulDeductionsTaken Amount // kept from pay unlawfully; not credited
	Credited                Amount // Paid + LawfulDeductions

	// Rule 5: arrears and their attribution, which add up to Arrears.
	Arrears            Amount
	UnlawfulDeductions Amount
	UnpaidOvertime     Amount
	Underpayment       Amount

	// Rule 7: simple interest on Arrears for InterestDays days.
	InterestDays int
	Interest     Amount

	// Total is Arrears + Interest.
	Total Amount
}

// CostResult is one reimbursable recruitment cost (rule 6) with its
// interest (rule 7).
type CostResult struct {
	Date         Date
	Kind         string
	Amount       Amount
	InterestDays int
	Interest     Amount
	Total        Amount // Amount + Interest
}

// Quantity is an exact rational quantity, such as a prorated number of
// hours (40 × 31 / 7), that need not have a finite decimal form. It is
// never modified after it is made.
type Quantity struct {
	r *big.Rat
}

func quantityOf(r *big.Rat) Quantity { return Quantity{r: new(big.Rat).Set(r)} }

// Rat returns the exact value as a new rational.
func (q Quantity) Rat() *big.Rat {
	if q.r == nil {
		return new(big.Rat)
	}
	return new(big.Rat).Set(q.r)
}

// Round formats q rounded to at most places decimal places, halves away
// from zero, without trailing zeros ("177.1429" for 1240/7 at 4 places).
func (q Quantity) Round(places int) string {
	s := q.Rat().FloatString(places)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// IsExact reports whether Round(places) shows q without rounding.
func (q Quantity) IsExact(places int) bool {
	scaled := new(big.Rat).Mul(q.Rat(), new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(places)), nil)))
	return scaled.IsInt()
}
