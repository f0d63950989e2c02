package wages

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// The JSON input of shared/domain/wages.md. Numbers are kept raw so that
// they are parsed as exact decimals (a JSON number or a string such as
// "7.25"), never through float64. Nested objects are kept raw and decoded
// one by one, so that each problem names its field with its index
// ("periods[2].estimated"), which encoding/json alone does not.
type claimJSON struct {
	Rules        json.RawMessage   `json:"rules"`
	AgreedHourly json.RawMessage   `json:"agreed_hourly"`
	Periods      []json.RawMessage `json:"periods"`
	Costs        []json.RawMessage `json:"costs_paid_by_worker"`
}

type rulesJSON struct {
	Currency           *string           `json:"currency"`
	MinimumWageHourly  []json.RawMessage `json:"minimum_wage_hourly"`
	NormalHoursPerWeek json.RawMessage   `json:"normal_hours_per_week"`
	OvertimePremium    json.RawMessage   `json:"overtime_premium"`
	AnnualInterestRate json.RawMessage   `json:"annual_interest_rate"`
	AsOf               *string           `json:"as_of"`
}

type minimumWageJSON struct {
	From   *string         `json:"from"`
	Hourly json.RawMessage `json:"hourly"`
}

type periodJSON struct {
	Start       *string           `json:"start"`
	End         *string           `json:"end"`
	HoursWorked json.RawMessage   `json:"hours_worked"`
	Paid        json.RawMessage   `json:"paid"`
	Deductions  []json.RawMessage `json:"deductions"`
	Estimated   *bool             `json:"estimated"`
}

type deductionJSON struct {
	Kind   *string         `json:"kind"`
	Amount json.RawMessage `json:"amount"`
	Lawful *bool           `json:"lawful"`
}

type costJSON struct {
	Date   *string         `json:"date"`
	Kind   *string         `json:"kind"`
	Amount json.RawMessage `json:"amount"`
}

// DecodeClaim parses the JSON input of "flare wages" and validates it. Every
// problem comes back in InputErrors naming its field, or the line and
// column of a syntax error. Unknown keys are refused, so a misspelt legal
// parameter cannot silently fall back to nothing.
func DecodeClaim(data []byte) (Claim, error) {
	var in claimJSON
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&in); err != nil {
		return Claim{}, InputErrors{jsonProblem(data, dec.InputOffset(), err)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Claim{}, InputErrors{{Problem: fmt.Sprintf("line %d: unexpected data after the claim object", lineOf(data, dec.InputOffset()))}}
	}
	var p problems
	c := in.claim(&p)
	if err := p.err(); err != nil {
		return Claim{}, err
	}
	if err := c.Validate(); err != nil {
		return Claim{}, err
	}
	return c, nil
}

// claim converts the wire form, recording every missing or malformed field.
func (in claimJSON) claim(p *problems) Claim {
	var c Claim
	var r rulesJSON
	if !decodeObject(p, "rules", in.Rules, &r) {
		return c
	}
	if r.Currency == nil {
		p.add("rules.currency", "required")
	} else if cur, ok := LookupCurrency(*r.Currency); ok {
		c.Rules.Currency = cur
	} else {
		p.add("rules.currency", "unknown currency %q (expected an ISO 4217 code such as USD)", truncate(*r.Currency, 40))
	}
	if r.MinimumWageHourly == nil {
		p.add("rules.minimum_wage_hourly", "required: a list of {from, hourly}")
	}
	for i, raw := range r.MinimumWageHourly {
		field := fmt.Sprintf("rules.minimum_wage_hourly[%d]", i)
		var mw minimumWageJSON
		if decodeObject(p, field, raw, &mw) {
			c.Rules.MinimumWage = append(c.Rules.MinimumWage, MinimumWage{
				From:   requiredDate(p, field+".from", mw.From),
				Hourly: requiredDecimal(p, field+".hourly", mw.Hourly),
			})
		}
	}
	c.Rules.NormalHoursPerWeek = requiredDecimal(p, "rules.normal_hours_per_week", r.NormalHoursPerWeek)
	c.Rules.OvertimePremium = requiredDecimal(p, "rules.overtime_premium", r.OvertimePremium)
	c.Rules.AnnualInterestRate = requiredDecimal(p, "rules.annual_interest_rate", r.AnnualInterestRate)
	c.Rules.AsOf = requiredDate(p, "rules.as_of", r.AsOf)
	if !isAbsent(in.AgreedHourly) {
		c.AgreedHourly = requiredDecimal(p, "agreed_hourly", in.AgreedHourly)
	}
	money := moneyParser{p: p, cur: c.Rules.Currency}
	for i, raw := range in.Periods {
		field := fmt.Sprintf("periods[%d]", i)
		var pj periodJSON
		if !decodeObject(p, field, raw, &pj) {
			continue
		}
		per := Period{
			Start:       requiredDate(p, field+".start", pj.Start),
			End:         requiredDate(p, field+".end", pj.End),
			HoursWorked: requiredDecimal(p, field+".hours_worked", pj.HoursWorked),
			Paid:        money.required(field+".paid", pj.Paid),
			Estimated:   pj.Estimated != nil && *pj.Estimated,
		}
		for j, raw := range pj.Deductions {
			df := fmt.Sprintf("%s.deductions[%d]", field, j)
			var dj deductionJSON
			if !decodeObject(p, df, raw, &dj) {
				continue
			}
			d := Deduction{
				Kind:   requiredString(p, df+".kind", dj.Kind),
				Amount: money.required(df+".amount", dj.Amount),
			}
			if dj.Lawful == nil {
				p.add(df+".lawful", "required: true or false")
			} else {
				d.Lawful = *dj.Lawful
			}
			per.Deductions = append(per.Deductions, d)
		}
		c.Periods = append(c.Periods, per)
	}
	for i, raw := range in.Costs {
		field := fmt.Sprintf("costs_paid_by_worker[%d]", i)
		var cj costJSON
		if decodeObject(p, field, raw, &cj) {
			c.Costs = append(c.Costs, Cost{
				Date:   requiredDate(p, field+".date", cj.Date),
				Kind:   requiredString(p, field+".kind", cj.Kind),
				Amount: money.required(field+".amount", cj.Amount),
			})
		}
	}
	return c
}

// decodeObject decodes the JSON object raw, found at field, into v,
// refusing unknown keys, and records a problem naming the field if it
// does not fit.
func decodeObject(p *problems, field string, raw json.RawMessage, v any) bool {
	if isAbsent(raw) {
		p.add(field, "required: an object")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return true
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field != "" {
			field += "." + typ.Field
		}
		p.add(field, "expected %s, found a JSON %s", kindOf(typ.Type.Kind().String()), typ.Value)
		return false
	}
	// DisallowUnknownFields reports `json: unknown field "name"`.
	p.add(field, "%s", strings.TrimPrefix(err.Error(), "json: "))
	return false
}

// isAbsent reports whether a raw value was left out or given as null.
func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// requiredString returns a label such as a deduction's kind. Control
// characters are refused: a label is one line of a printed statement.
func requiredString(p *problems, field string, s *string) string {
	if s == nil {
		p.add(field, "required")
		return ""
	}
	if strings.ContainsFunc(*s, unicode.IsControl) {
		p.add(field, "must not contain control characters such as line breaks")
	}
	return *s
}

func requiredDate(p *problems, field string, s *string) Date {
	if s == nil {
		p.add(field, "required: a date in the form YYYY-MM-DD")
		return Date{}
	}
	d, err := ParseDate(truncate(*s, 40))
	if err != nil {
		p.add(field, "%v", err)
	}
	return d
}

// requiredDecimal parses a JSON number or a string holding one.
func requiredDecimal(p *problems, field string, raw json.RawMessage) Decimal {
	if isAbsent(raw) {
		p.add(field, "required: a number")
		return Decimal{}
	}
	text := string(raw)
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(raw, &text); err != nil {
			p.add(field, "not a number: %s", truncate(string(raw), 40))
			return Decimal{}
		}
	}
	d, err := ParseDecimal(text)
	if err != nil {
		p.add(field, "%s: %v", truncate(string(raw), 40), err)
	}
	return d
}

// moneyParser turns amounts in major units into exact minor units of the
// claim's currency.
type moneyParser struct {
	p   *problems
	cur Currency
}

func (m moneyParser) required(field string, raw json.RawMessage) Amount {
	d := requiredDecimal(m.p, field, raw)
	if m.cur.Code == "" { // unknown currency: already reported
		return 0
	}
	a, err := m.cur.Amount(d)
	if err != nil {
		m.p.add(field, "%v", err)
	}
	return a
}

// jsonProblem turns an encoding/json error into an InputError that names
// the field or the line at fault.
func jsonProblem(data []byte, offset int64, err error) *InputError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &InputError{Problem: fmt.Sprintf("line %d: malformed JSON: %v", lineOf(data, syn.Offset), syn)}
	case errors.As(err, &typ):
		return &InputError{Field: typ.Field, Problem: fmt.Sprintf("line %d: expected %s, found a JSON %s", lineOf(data, typ.Offset), kindOf(typ.Type.Kind().String()), typ.Value)}
	case errors.Is(err, io.EOF):
		return &InputError{Problem: "empty input: expected a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &InputError{Problem: "line " + fmt.Sprint(lineOf(data, int64(len(data)))) + ": malformed JSON: unexpected end of input"}
	}
	// DisallowUnknownFields reports `json: unknown field "name"`.
	return &InputError{Problem: fmt.Sprintf("line %d: %s", lineOf(data, offset), strings.TrimPrefix(err.Error(), "json: "))}
}

func kindOf(goKind string) string {
	switch goKind {
	case "slice":
		return "a list"
	case "struct", "ptr":
		return "an object"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	return "a " + goKind
}

// lineOf returns the 1-based line holding byte offset off of data.
func lineOf(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// truncate shortens s to at most n runes so that an error message quoting
// a huge input stays readable.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
