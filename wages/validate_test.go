package wages

import (
	"errors"
	"strings"
	"testing"
)

// validClaim is a small claim every case of TestDecodeClaimRejects breaks
// in one place.
const validClaim = `{
  "rules": {"currency": "USD", "minimum_wage_hourly": [{"from": "2024-01-01", "hourly": 7.25}],
            "normal_hours_per_week": 40, "overtime_premium": 0.5, "annual_interest_rate": 0.05,
            "as_of": "2024-12-31"},
  "agreed_hourly": 8,
  "periods": [
    {"start": "2024-01-01", "end": "2024-01-31", "hours_worked": 200, "paid": 500,
     "deductions": [{"kind": "housing", "amount": 50, "lawful": true}]},
    {"start": "2024-02-01", "end": "2024-02-29", "hours_worked": 190, "paid": 400, "estimated": true}
  ],
  "costs_paid_by_worker": [{"date": "2023-12-01", "kind": "recruitment fee", "amount": 300}]
}`

func TestDecodeClaimAccepts(t *testing.T) {
	c, err := DecodeClaim([]byte(validClaim))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Periods) != 2 || !c.Periods[1].Estimated || c.Periods[0].Paid != 50000 || c.Costs[0].Amount != 30000 {
		t.Errorf("decoded claim is wrong: %+v", c)
	}
	if c.Periods[0].Deductions[0] != (Deduction{Kind: "housing", Amount: 5000, Lawful: true}) {
		t.Errorf("deduction %+v", c.Periods[0].Deductions[0])
	}
}

func TestDecodeClaimRejects(t *testing.T) {
	tests := []struct {
		name     string
		from, to string // replace the first occurrence of from in validClaim by to
		field    string // the field named by the error ("" for line errors)
		problem  string // a fragment of the message
	}{
		{"unknown currency", `"USD"`, `"XYZ"`, "rules.currency", `unknown currency "XYZ"`},
		{"lower-case currency", `"USD"`, `"usd"`, "rules.currency", "unknown currency"},
		{"missing currency", `"currency": "USD",`, ``, "rules.currency", "required"},
		{"gap between periods", `"start": "2024-02-01"`, `"start": "2024-02-03"`, "periods[1].start", "gap of 2 day(s) after periods[0]"},
		{"overlapping periods", `"start": "2024-02-01"`, `"start": "2024-01-20"`, "periods[1].start", "overlaps periods[0]"},
		{"end before start", `"end": "2024-01-31"`, `"end": "2023-12-31"`, "periods[0].end", "before the start"},
		{"negative hours", `"hours_worked": 200`, `"hours_worked": -1`, "periods[0].hours_worked", "must not be negative"},
		{"more than 24 hours a day", `"hours_worked": 190`, `"hours_worked": 697`, "periods[1].hours_worked", "more than a 29-day period can hold (696)"},
		{"negative paid", `"paid": 500`, `"paid": -5`, "periods[0].paid", "must not be negative"},
		{"negative deduction", `"amount": 50`, `"amount": -50`, "periods[0].deductions[0].amount", "must not be negative"},
		{"negative cost", `"amount": 300`, `"amount": -300`, "costs_paid_by_worker[0].amount", "must not be negative"},
		{"negative agreed", `"agreed_hourly": 8`, `"agreed_hourly": -8`, "agreed_hourly", "must not be negative"},
		{"negative minimum wage", `"hourly": 7.25`, `"hourly": -7.25`, "rules.minimum_wage_hourly[0].hourly", "must not be negative"},
		{"fraction of a cent", `"paid": 500`, `"paid": 500.001`, "periods[0].paid", "more decimal places than USD allows (2)"},
		{"paid as float text", `"paid": 500`, `"paid": "5e2x"`, "periods[0].paid", "not a decimal number"},
		{"missing paid", `"paid": 500,`, ``, "periods[0].paid", "required"},
		{"missing lawful", `, "lawful": true`, ``, "periods[0].deductions[0].lawful", "required"},
		{"missing as_of", `"as_of": "2024-12-31"`, `"as_of": null`, "rules.as_of", "required"},
		{"bad date", `"as_of": "2024-12-31"`, `"as_of": "31/12/2024"`, "rules.as_of", "YYYY-MM-DD"},
		{"as_of before a period ends", `"as_of": "2024-12-31"`, `"as_of": "2024-02-15"`, "rules.as_of", "before the end of the last period"},
		{"cost after as_of", `"date": "2023-12-01"`, `"date": "2025-01-01"`, "costs_paid_by_worker[0].date", "after rules.as_of"},
		{"no minimum wage yet", `"from": "2024-01-01"`, `"from": "2024-01-15"`, "periods[0].start", "no minimum wage in force on 2024-01-01"},
		{"empty minimum wage table", `[{"from": "2024-01-01", "hourly": 7.25}]`, `[]`, "rules.minimum_wage_hourly", "at least one"},
		{"duplicate minimum wage date", `[{"from": "2024-01-01", "hourly": 7.25}]`, `[{"from": "2024-01-01", "hourly": 7.25}, {"from": "2024-01-01", "hourly": 8}]`, "rules.minimum_wage_hourly[1].from", "already the date"},
		{"zero normal hours", `"normal_hours_per_week": 40`, `"normal_hours_per_week": 0`, "rules.normal_hours_per_week", "more than 0"},
		{"normal hours beyond a week", `"normal_hours_per_week": 40`, `"normal_hours_per_week": 169`, "rules.normal_hours_per_week", "168 hours"},
		{"negative premium", `"overtime_premium": 0.5`, `"overtime_premium": -0.5`, "rules.overtime_premium", "must not be negative"},
		{"negative interest", `"annual_interest_rate": 0.05`, `"annual_interest_rate": -0.05`, "rules.annual_interest_rate", "must not be negative"},
		{"missing premium", `"overtime_premium": 0.5,`, ``, "rules.overtime_premium", "required"},
		{"misspelt key", `"overtime_premium"`, `"overtime_premum"`, "rules", `unknown field "overtime_premum"`},
		{"control character in kind", `"kind": "housing"`, `"kind": "hous\ning"`, "periods[0].deductions[0].kind", "control characters"},
		{"empty kind", `"kind": "housing"`, `"kind": ""`, "periods[0].deductions[0].kind", "required"},
		{"wrong type", `"estimated": true`, `"estimated": "yes"`, "periods[1].estimated", "expected true or false"},
		{"unknown key in a deduction", `"lawful": true`, `"lawful": true, "legal": true`, "periods[0].deductions[0]", `unknown field "legal"`},
		{"null period", `"periods": [`, `"periods": [null, `, "periods[0]", "required: an object"},
		{"costs not a list", `[{"date": "2023-12-01", "kind": "recruitment fee", "amount": 300}]`, `{"date": "2023-12-01"}`, "costs_paid_by_worker", "expected a list"},
		{"malformed JSON names the line", `"agreed_hourly": 8,`, `"agreed_hourly": 8,,`, "", "line 5: malformed JSON"},
		{"trailing data", `"amount": 300}]
}`, `"amount": 300}]
} {}`, "", "unexpected data after the claim"},
		{"missing rules", `"rules"`, `"rulez"`, "", "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validClaim, tt.from) {
				t.Fatalf("test is wrong: %q not in validClaim", tt.from)
			}
			in := strings.Replace(validClaim, tt.from, tt.to, 1)
			_, err := DecodeClaim([]byte(in))
			var errs InputErrors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v (%T), want InputErrors", err, err)
			}
			for _, e := range errs {
				if e.Field == tt.field && strings.Contains(e.Problem, tt.problem) {
					return
				}
			}
			t.Errorf("no error on %q containing %q in: %v", tt.field, tt.problem, err)
		})
	}
}

func TestDecodeClaimReportsEveryProblem(t *testing.T) {
	in := strings.NewReplacer(`"hours_worked": 200`, `"hours_worked": -1`, `"paid": 400`, `"paid": -4`).Replace(validClaim)
	_, err := DecodeClaim([]byte(in))
	var errs InputErrors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("want 2 problems, got %v", err)
	}
}

func TestValidateCapsTheNumberOfProblems(t *testing.T) {
	c := Claim{Rules: usRules(t, "2009-12-31")}
	for range 80 {
		c.Costs = append(c.Costs, Cost{Date: day(t, "2009-01-01"), Kind: "fee", Amount: -1})
	}
	var errs InputErrors
	if !errors.As(c.Validate(), &errs) || len(errs) != maxInputErrors+1 {
		t.Fatalf("want %d problems and a note, got %d", maxInputErrors, len(errs))
	}
	if !strings.Contains(errs[len(errs)-1].Problem, "more problems not shown") {
		t.Errorf("last problem should say more were not shown: %v", errs[len(errs)-1])
	}
}

func TestValidateRejectsMismatchedCurrencyExponent(t *testing.T) {
	c := Claim{Rules: usRules(t, "2009-12-31")}
	c.Rules.Currency.Exponent = 3
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "2 decimal places") {
		t.Errorf("want an exponent error, got %v", err)
	}
}
