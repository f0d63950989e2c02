package wages

import (
	"math"
	"math/big"
	"testing"
)

func TestRoundHalfAway(t *testing.T) {
	tests := []struct {
		num, den int64
		want     Amount
	}{
		{5, 10, 1},
		{-5, 10, -1},
		{4, 10, 0},
		{-4, 10, 0},
		{15, 10, 2},
		{25, 10, 3}, // half away from zero, not half to even
		{-25, 10, -3},
		{8990, 7, 1284}, // 1284.2857
		{1, 3, 0},
		{2, 3, 1},
	}
	for _, tt := range tests {
		got, err := roundHalfAway(big.NewRat(tt.num, tt.den))
		if err != nil || got != tt.want {
			t.Errorf("roundHalfAway(%d/%d) = %d, %v; want %d", tt.num, tt.den, got, err, tt.want)
		}
	}
	huge := new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 70), big.NewInt(1))
	if _, err := roundHalfAway(huge); err == nil {
		t.Error("roundHalfAway(2^70) should report an amount too large")
	}
}

func TestFormatMinor(t *testing.T) {
	tests := []struct {
		a    Amount
		exp  int
		want string
	}{
		{123450, 2, "1234.50"},
		{5, 2, "0.05"},
		{0, 2, "0.00"},
		{-5, 2, "-0.05"},
		{1234, 0, "1234"},
		{1, 3, "0.001"},
		{12345, 4, "1.2345"},
		{math.MinInt64, 2, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := formatMinor(tt.a, tt.exp); got != tt.want {
			t.Errorf("formatMinor(%d, %d) = %q, want %q", tt.a, tt.exp, got, tt.want)
		}
	}
}

func TestAmountAdd(t *testing.T) {
	if _, err := Amount(math.MaxInt64).add(1); err == nil {
		t.Error("MaxInt64 + 1 should overflow")
	}
	if _, err := Amount(math.MinInt64).add(-1); err == nil {
		t.Error("MinInt64 - 1 should overflow")
	}
	if got, err := Amount(2).add(-3); err != nil || got != -1 {
		t.Errorf("2 + -3 = %d, %v", got, err)
	}
}

func TestCurrency(t *testing.T) {
	tests := []struct {
		code    string
		amount  string
		want    Amount
		wantErr bool
	}{
		{"USD", "1234.5", 123450, false},
		{"USD", "10.005", 0, true}, // finer than a cent
		{"JPY", "1500", 1500, false},
		{"JPY", "1500.5", 0, true},
		{"KWD", "1.234", 1234, false},
		{"CLF", "1.2345", 12345, false},
		{"EUR", "-3.10", -310, false},
	}
	for _, tt := range tests {
		cur, ok := LookupCurrency(tt.code)
		if !ok {
			t.Fatalf("LookupCurrency(%q) not found", tt.code)
		}
		d, err := ParseDecimal(tt.amount)
		if err != nil {
			t.Fatal(err)
		}
		got, err := cur.Amount(d)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s.Amount(%s) = %d, %v; want %d, error %v", tt.code, tt.amount, got, err, tt.want, tt.wantErr)
		}
	}
	for _, code := range []string{"usd", "XAU", "XXX", "ABC", "", "US"} {
		if _, ok := LookupCurrency(code); ok {
			t.Errorf("LookupCurrency(%q) should fail", code)
		}
	}
}

func TestISO4217Table(t *testing.T) {
	for code, exp := range iso4217MinorUnits {
		if len(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code[2] < 'A' || code[2] > 'Z' {
			t.Errorf("code %q is not three upper-case letters", code)
		}
		if exp < 0 || exp > 4 {
			t.Errorf("%s: minor unit %d outside ISO 4217's 0..4", code, exp)
		}
	}
	// Spot checks against ISO 4217 list one.
	for code, exp := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "BHD": 3, "TND": 3, "CLF": 4, "UYW": 4, "XOF": 0, "ISK": 0, "IQD": 3, "INR": 2, "BRL": 2} {
		if got := iso4217MinorUnits[code]; got != exp {
			t.Errorf("%s minor unit = %d, want %d", code, got, exp)
		}
	}
}
