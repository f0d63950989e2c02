package wages

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, s := range []string{"2024-02-29", "0001-01-01", "9999-12-31", "1970-01-01", "2009-07-24"} {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if d.IsZero() || d.String() != s {
			t.Errorf("ParseDate(%q) = %q", s, d)
		}
	}
	for _, s := range []string{"", "2023-02-29", "2024-13-01", "24-01-01", "2024-1-1", "2024-01-01T00:00:00Z", "01/02/2024", "0000-01-01"} {
		if d, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %s, want an error", s, d)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	start := NewDate(2024, time.February, 1)
	end := NewDate(2024, time.February, 29)
	if got := end.Sub(start); got != 28 {
		t.Errorf("2024-02-29 - 2024-02-01 = %d, want 28", got)
	}
	if got := (Period{Start: start, End: end}).Days(); got != 29 {
		t.Errorf("days of February 2024 = %d, want 29 (both ends counted)", got)
	}
	if got := end.AddDays(1).String(); got != "2024-03-01" {
		t.Errorf("2024-02-29 + 1 = %s", got)
	}
	if !start.Before(end) || !end.After(start) || start.After(start) {
		t.Error("Before/After wrong")
	}
	if got := NewDate(9999, time.December, 31).Sub(NewDate(1, time.January, 1)); got != 3652058 {
		t.Errorf("days 0001-01-01..9999-12-31 = %d, want 3652058", got)
	}
	if (Date{}).String() != "" || !(Date{}).IsZero() {
		t.Error("zero Date should be empty")
	}
}
