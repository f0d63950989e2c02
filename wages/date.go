package wages

import (
	"fmt"
	"time"
)

// dateLayout is the only date format of the input and output: ISO 8601
// calendar dates.
const dateLayout = "2006-01-02"

// Date is a calendar day with no time of day and no time zone: pay periods,
// payments and the as-of date are days, and every day count in the rules
// (rule 2, rule 7) counts whole days. The zero value means "no date".
type Date struct {
	// n is the number of days since 0001-01-01, plus one so that the zero
	// value stays distinguishable.
	n int32
}

// unixEpochDay is the number of days from 0001-01-01 to 1970-01-01.
const unixEpochDay = 719162

const secondsPerDay = 24 * 60 * 60

// NewDate returns the given calendar day; it normalises out-of-range days
// as time.Date does (2024-02-30 is 2024-03-01).
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date{n: int32(t.Unix()/secondsPerDay + unixEpochDay + 1)}
}

// ParseDate parses a YYYY-MM-DD date between 0001-01-01 and 9999-12-31.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) || t.Year() < 1 {
		return Date{}, fmt.Errorf("%q is not a date in the form YYYY-MM-DD", s)
	}
	return NewDate(t.Year(), t.Month(), t.Day()), nil
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d.n == 0 }

// Time returns d as midnight UTC.
func (d Date) Time() time.Time {
	return time.Unix((int64(d.n)-1-unixEpochDay)*secondsPerDay, 0).UTC()
}

// AddDays returns the day k days after d (before it if k < 0).
func (d Date) AddDays(k int) Date { return Date{n: d.n + int32(k)} }

// Sub returns the number of days from e to d: d.Sub(d.AddDays(3)) is -3.
func (d Date) Sub(e Date) int { return int(d.n) - int(e.n) }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.n < e.n }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.n > e.n }

// String formats d as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format(dateLayout)
}
