package wages

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
)

// maxDecimalDigits bounds the digits of a Decimal so that its coefficient
// always fits an int64 (10^18 < 2^63).
const maxDecimalDigits = 18

// pow10 holds 10^0 .. 10^18, every power of ten an int64 can hold.
var pow10 = [...]int64{
	1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
}

// Decimal is an exact decimal number such as an hourly rate ("7.25"), a
// number of hours ("37.5") or a rate ("0.05"). Its value is
// coef / 10^scale; ParseDecimal keeps it canonical (no trailing fractional
// zeros) so that == compares values. The zero value is 0.
type Decimal struct {
	coef  int64
	scale int8
}

// NewDecimal returns coef / 10^scale; scale must be in 0..18.
func NewDecimal(coef int64, scale int) Decimal {
	if scale < 0 || scale > maxDecimalDigits {
		panic("wages.NewDecimal: scale out of range")
	}
	return Decimal{coef: coef, scale: int8(scale)}.canonical()
}

// ParseDecimal parses a decimal number in JSON number syntax, with an
// optional exponent ("7.25", "-3", "1.5e2"). It accepts at most 18
// significant digits and 18 decimal places: enough for any wage, rate or
// hour count, and small enough to stay exact in an int64.
func ParseDecimal(s string) (Decimal, error) {
	rest := s
	neg := false
	if strings.HasPrefix(rest, "-") {
		neg = true
		rest = rest[1:]
	}
	mant, expPart, hasExp := strings.Cut(strings.ToLower(rest), "e")
	intPart, fracPart, _ := strings.Cut(mant, ".")
	if intPart == "" && fracPart == "" || !allDigits(intPart) || !allDigits(fracPart) {
		return Decimal{}, errors.New("not a decimal number")
	}
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expPart)
		if err != nil || len(expPart) > 5 {
			return Decimal{}, errors.New("not a decimal number (bad exponent)")
		}
		exp = e
	}
	digits := strings.TrimLeft(intPart+fracPart, "0")
	scale := len(fracPart) - exp
	// Drop trailing zeros: they carry no value and would waste digits.
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		scale--
	}
	if digits == "" {
		return Decimal{}, nil
	}
	if len(digits) > maxDecimalDigits {
		return Decimal{}, errors.New("more than 18 significant digits")
	}
	coef, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return Decimal{}, errors.New("not a decimal number")
	}
	for scale < 0 {
		if coef >= pow10[maxDecimalDigits-1] { // one more digit would exceed 18

			return Decimal{}, errors.New("too large")
		}
		coef *= 10
		scale++
	}
	if scale > maxDecimalDigits {
		return Decimal{}, errors.New("more than 18 decimal places")
	}
	if neg {
		coef = -coef
	}
	return Decimal{coef: coef, scale: int8(scale)}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonical strips trailing fractional zeros.
func (d Decimal) canonical() Decimal {
	for d.scale > 0 && d.coef%10 == 0 {
		d.coef /= 10
		d.scale--
	}
	if d.coef == 0 {
		d.scale = 0
	}
	return d
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.coef < 0:
		return -1
	case d.coef > 0:
		return 1
	}
	return 0
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.coef == 0 }

// Cmp compares d and e: -1 if d < e, 0 if equal, +1 if d > e.
func (d Decimal) Cmp(e Decimal) int { return d.Rat().Cmp(e.Rat()) }

// Rat returns d as a new exact rational.
func (d Decimal) Rat() *big.Rat {
	return new(big.Rat).SetFrac(big.NewInt(d.coef), big.NewInt(pow10[d.scale]))
}

// String formats d in plain decimal notation without exponent ("7.25").
func (d Decimal) String() string {
	s := strconv.FormatInt(d.coef, 10)
	if d.scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if pad := int(d.scale) + 1 - len(s); pad > 0 {
		s = strings.Repeat("0", pad) + s
	}
	s = s[:len(s)-int(d.scale)] + "." + s[len(s)-int(d.scale):]
	if neg {
		s = "-" + s
	}
	return s
}
