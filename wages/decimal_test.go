package wages

import "testing"

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"7.25", "7.25"},
		{"7.250", "7.25"},
		{"007.5", "7.5"},
		{".5", "0.5"},
		{"5.", "5"},
		{"-3", "-3"},
		{"1.5e2", "150"},
		{"15E-1", "1.5"},
		{"1e-18", "0.000000000000000001"},
		{"123456789012345678", "123456789012345678"},
		{"0.05", "0.05"},
		{"100e-20", "0.000000000000000001"},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if err != nil {
			t.Errorf("ParseDecimal(%q): %v", tt.in, err)
			continue
		}
		if got := d.String(); got != tt.want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseDecimalRejects(t *testing.T) {
	for _, in := range []string{
		"", "-", ".", "1/2", "1,5", "0x10", "1e", "e5", "--1", "1.2.3", " 1", "NaN", "Inf",
		"1234567890123456789", // 19 significant digits
		"1e-19",               // 19 decimal places
		"1e18",                // 19 digits
		"1e99999", "1e-99999", "1e100000",
	} {
		if d, err := ParseDecimal(in); err == nil {
			t.Errorf("ParseDecimal(%q) = %s, want an error", in, d)
		}
	}
}

func TestDecimalCmpAndSign(t *testing.T) {
	a, b := NewDecimal(725, 2), NewDecimal(7250, 3)
	if a != b || a.Cmp(b) != 0 {
		t.Errorf("7.25 and 7.250 should be equal: %v %v", a, b)
	}
	if NewDecimal(-1, 0).Sign() != -1 || NewDecimal(0, 5).Sign() != 0 || NewDecimal(1, 18).Sign() != 1 {
		t.Error("Sign is wrong")
	}
	if NewDecimal(1, 1).Cmp(NewDecimal(2, 1)) != -1 {
		t.Error("0.1 should be less than 0.2")
	}
}
