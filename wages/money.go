package wages

import (
	"errors"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Amount is an exact sum of money in a currency's minor unit: 123450 is
// 1234.50 US dollars or 123450 yen. Which currency is known from the
// claim's Rules (rule 8: never binary floating point).
type Amount int64

// errTooLarge reports an amount beyond what an Amount can hold (about
// 9.2e18 minor units), which no real claim reaches.
var errTooLarge = errors.New("amount too large")

// add returns a+b, or errTooLarge on overflow.
func (a Amount) add(b Amount) (Amount, error) {
	if (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b) {
		return 0, errTooLarge
	}
	return a + b, nil
}

// minAmount returns the smaller of a and b.
func minAmount(a, b Amount) Amount {
	if a < b {
		return a
	}
	return b
}

// roundHalfAway rounds an exact rational to the nearest integer, halves
// away from zero (rule 8), and returns it as an Amount.
func roundHalfAway(r *big.Rat) (Amount, error) {
	num := new(big.Int).Abs(r.Num())
	den := r.Denom()
	q, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if r.Sign() < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, errTooLarge
	}
	return Amount(q.Int64()), nil
}

// minorUnits rounds an exact sum in major units (dollars) to the minor
// units of a currency with the given exponent.
func minorUnits(major *big.Rat, exponent int) (Amount, error) {
	scaled := new(big.Rat).Mul(major, new(big.Rat).SetInt64(pow10[exponent]))
	return roundHalfAway(scaled)
}

// formatMinor formats an amount of minor units in plain decimal notation
// with exactly exponent decimal places: formatMinor(123450, 2) is
// "1234.50".
func formatMinor(a Amount, exponent int) string {
	s := strconv.FormatUint(absUint(int64(a)), 10)
	if exponent > 0 {
		if pad := exponent + 1 - len(s); pad > 0 {
			s = strings.Repeat("0", pad) + s
		}
		s = s[:len(s)-exponent] + "." + s[len(s)-exponent:]
	}
	if a < 0 {
		s = "-" + s
	}
	return s
}

// absUint returns |v| without overflowing on math.MinInt64.
func absUint(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
