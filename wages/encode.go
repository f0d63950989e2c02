package wages

import "encoding/json"

// hoursPlaces is how many decimal places the output shows of prorated
// hours (40 × 31 / 7 = 177.1429): display only, the computation is exact.
const hoursPlaces = 4

// resultJSON is the output of "flare wages --format json". Money is a
// decimal string with the currency's decimal places ("1234.50"), so no
// client ever parses an amount through float64.
type resultJSON struct {
	Currency           string          `json:"currency"`
	AsOf               string          `json:"as_of"`
	Rules              rulesOutJSON    `json:"rules"`
	Periods            []periodOutJSON `json:"periods"`
	Costs              []costOutJSON   `json:"costs_paid_by_worker"`
	Totals             breakdownJSON   `json:"totals"`
	FromEstimatedHours breakdownJSON   `json:"from_estimated_hours"`
}

// rulesOutJSON echoes the legal numbers the result rests on.
type rulesOutJSON struct {
	NormalHoursPerWeek string `json:"normal_hours_per_week"`
	OvertimePremium    string `json:"overtime_premium"`
	AnnualInterestRate string `json:"annual_interest_rate"`
}

type breakdownJSON struct {
	Underpayment       string `json:"underpayment"`
	UnpaidOvertime     string `json:"unpaid_overtime"`
	UnlawfulDeductions string `json:"unlawful_deductions"`
	RecruitmentCosts   string `json:"recruitment_costs"`
	Interest           string `json:"interest"`
	Total              string `json:"total"`
}

type periodOutJSON struct {
	Start                   string `json:"start"`
	End                     string `json:"end"`
	Days                    int    `json:"days"`
	Estimated               bool   `json:"estimated"`
	MinimumWageHourly       string `json:"minimum_wage_hourly"`
	MinimumWageFrom         string `json:"minimum_wage_from"`
	AgreedHourly            string `json:"agreed_hourly"`
	HourlyRate              string `json:"hourly_rate"`
	OvertimeHourlyRate      string `json:"overtime_hourly_rate"`
	HoursWorked             string `json:"hours_worked"`
	NormalHoursLimit        string `json:"normal_hours_limit"`
	NormalHours             string `json:"normal_hours"`
	OvertimeHours           string `json:"overtime_hours"`
	NormalPayDue            string `json:"normal_pay_due"`
	OvertimePayDue          string `json:"overtime_pay_due"`
	WagesDue                string `json:"wages_due"`
	Paid                    string `json:"paid"`
	LawfulDeductions        string `json:"lawful_deductions"`
	UnlawfulDeductionsTaken string `json:"unlawful_deductions_taken"`
	Credited                string `json:"credited"`
	Arrears                 string `json:"arrears"`
	UnlawfulDeductions      string `json:"unlawful_deductions"`
	UnpaidOvertime          string `json:"unpaid_overtime"`
	Underpayment            string `json:"underpayment"`
	InterestDays            int    `json:"interest_days"`
	Interest                string `json:"interest"`
	Total                   string `json:"total"`
}

type costOutJSON struct {
	Date         string `json:"date"`
	Kind         string `json:"kind"`
	Amount       string `json:"amount"`
	InterestDays int    `json:"interest_days"`
	Interest     string `json:"interest"`
	Total        string `json:"total"`
}

// MarshalJSON writes the JSON output of "flare wages": currency, as_of,
// rules, periods, costs_paid_by_worker, totals and from_estimated_hours, every
// amount a decimal string.
func (r Result) MarshalJSON() ([]byte, error) {
	money := r.Currency.Format
	out := resultJSON{
		Currency: r.Currency.Code,
		AsOf:     r.AsOf.String(),
		Rules: rulesOutJSON{
			NormalHoursPerWeek: r.Rules.NormalHoursPerWeek.String(),
			OvertimePremium:    r.Rules.OvertimePremium.String(),
			AnnualInterestRate: r.Rules.AnnualInterestRate.String(),
		},
		Periods:            make([]periodOutJSON, 0, len(r.Periods)),
		Costs:              make([]costOutJSON, 0, len(r.Costs)),
		Totals:             r.Totals.json(money),
		FromEstimatedHours: r.FromEstimatedHours.json(money),
	}
	for _, p := range r.Periods {
		out.Periods = append(out.Periods, periodOutJSON{
			Start:                   p.Start.String(),
			End:                     p.End.String(),
			Days:                    p.Days,
			Estimated:               p.Estimated,
			MinimumWageHourly:       p.MinimumWage.Hourly.String(),
			MinimumWageFrom:         p.MinimumWage.From.String(),
			AgreedHourly:            p.AgreedHourly.String(),
			HourlyRate:              p.HourlyRate.String(),
			OvertimeHourlyRate:      p.OvertimeHourlyRate.Round(hoursPlaces),
			HoursWorked:             p.HoursWorked.String(),
			NormalHoursLimit:        p.NormalHoursLimit.Round(hoursPlaces),
			NormalHours:             p.NormalHours.Round(hoursPlaces),
			OvertimeHours:           p.OvertimeHours.Round(hoursPlaces),
			NormalPayDue:            money(p.NormalPayDue),
			OvertimePayDue:          money(p.OvertimePayDue),
			WagesDue:                money(p.WagesDue),
			Paid:                    money(p.Paid),
			LawfulDeductions:        money(p.LawfulDeductions),
			UnlawfulDeductionsTaken: money(p.UnlawfulDeductionsTaken),
			Credited:                money(p.Credited),
			Arrears:                 money(p.Arrears),
			UnlawfulDeductions:      money(p.UnlawfulDeductions),
			UnpaidOvertime:          money(p.UnpaidOvertime),
			Underpayment:            money(p.Underpayment),
			InterestDays:            p.InterestDays,
			Interest:                money(p.Interest),
			Total:                   money(p.Total),
		})
	}
	for _, c := range r.Costs {
		out.Costs = append(out.Costs, costOutJSON{
			Date:         c.Date.String(),
			Kind:         c.Kind,
			Amount:       money(c.Amount),
			InterestDays: c.InterestDays,
			Interest:     money(c.Interest),
			Total:        money(c.Total),
		})
	}
	return json.Marshal(out)
}

func (b Breakdown) json(money func(Amount) string) breakdownJSON {
	return breakdownJSON{
		Underpayment:       money(b.Underpayment),
		UnpaidOvertime:     money(b.UnpaidOvertime),
		UnlawfulDeductions: money(b.UnlawfulDeductions),
		RecruitmentCosts:   money(b.RecruitmentCosts),
		Interest:           money(b.Interest),
		Total:              money(b.Total),
	}
}
