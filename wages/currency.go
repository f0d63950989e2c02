package wages

import "fmt"

// Currency is an ISO 4217 currency with its minor unit: Exponent is the
// number of decimal places of one minor unit (2 for USD, 0 for JPY, 3 for
// KWD). Amounts are rounded to that unit (rule 8).
type Currency struct {
	Code     string
	Exponent int
}

// LookupCurrency returns the ISO 4217 currency with the given upper-case
// alphabetic code, from the table in iso4217.go.
func LookupCurrency(code string) (Currency, bool) {
	exp, ok := iso4217MinorUnits[code]
	if !ok {
		return Currency{}, false
	}
	return Currency{Code: code, Exponent: exp}, true
}

// Format formats an amount of this currency in plain decimal notation with
// the currency's decimal places and no symbol or grouping ("1234.50").
func (c Currency) Format(a Amount) string { return formatMinor(a, c.Exponent) }

// Amount converts a decimal number of major units (dollars) to an exact
// Amount, refusing values finer than one minor unit: an input of 10.005 US
// dollars is an error, not something to round silently.
func (c Currency) Amount(d Decimal) (Amount, error) {
	if int(d.scale) > c.Exponent {
		return 0, fmt.Errorf("%s has more decimal places than %s allows (%d)", d, c.Code, c.Exponent)
	}
	a, err := minorUnits(d.Rat(), c.Exponent)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", d, err)
	}
	return a, nil
}
