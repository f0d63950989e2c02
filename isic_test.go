package flare

import "testing"

// TestISICDivisions checks the embedded code list: 88 divisions of ISIC
// Rev.4, two-digit codes in order, each under a known section, and every
// section with at least one division.
func TestISICDivisions(t *testing.T) {
	divs := ISICDivisions()
	if len(divs) != 88 {
		t.Fatalf("%d divisions, want 88", len(divs))
	}
	seen := map[string]int{}
	prev := ""
	for _, d := range divs {
		if len(d.Code) != 2 || d.Code <= prev || d.Title == "" {
			t.Errorf("division %+v out of order or malformed", d)
		}
		if !ValidISICSection(d.Section) {
			t.Errorf("division %s has unknown section %q", d.Code, d.Section)
		}
		prev = d.Code
		seen[d.Section]++
	}
	for _, s := range ISICSections() {
		if seen[s.Code] == 0 {
			t.Errorf("section %s has no division", s.Code)
		}
	}
	if n := len(ISICDivisionsOf("C")); n != 24 {
		t.Errorf("section C has %d divisions, want 24", n)
	}
}

func TestValidISICDivision(t *testing.T) {
	tests := []struct {
		section, division string
		want              bool
	}{
		{"C", "10", true},
		{"A", "01", true},
		{"U", "99", true},
		{"F", "43", true},
		{"A", "10", false},
		{"C", "04", false}, // no division 04 in Rev.4
		{"C", "1", false},
		{"", "10", false},
		{"Z", "10", false},
		{"c", "10", false},
	}
	for _, tt := range tests {
		if got := ValidISICDivision(tt.section, tt.division); got != tt.want {
			t.Errorf("ValidISICDivision(%q, %q) = %v, want %v", tt.section, tt.division, got, tt.want)
		}
	}
}
