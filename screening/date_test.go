package screening

import "testing"

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2024-02-29", "0001-01-01", "9999-12-31"} {
		d, err := ParseDate(s)
		if err != nil || d.String() != s {
			t.Errorf("ParseDate(%q) = %v, %v", s, d, err)
		}
	}
	for _, s := range []string{"", "2025-02-29", "2025-13-01", "2025-1-01", "2025-01-01T00:00:00Z", " 2025-01-01"} {
		if _, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
}

// FuzzParseDate checks that every accepted date prints back as written and
// compares consistently with itself.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-01-01", "2024-02-29", "2025-02-29", "0001-01-01", "9999-12-31", "2025-1-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.IsZero() || d.String() != s || d.Compare(d) != 0 {
			t.Fatalf("ParseDate(%q) = %v (zero %v), does not round-trip", s, d, d.IsZero())
		}
	})
}
