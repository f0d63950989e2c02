package screening

import (
	"encoding/json"
	"fmt"
	"time"
)

// dateLayout is the only date form the input accepts (ISO 8601 calendar
// date): a screening is about days, never about times of day.
const dateLayout = "2006-01-02"

// Date is a calendar day, with no time of day and no time zone. The zero
// Date means "no date".
type Date struct {
	t   time.Time // midnight UTC of the day
	set bool      // false for the zero Date; 0001-01-01 is a day like others
}

// NewDate returns the given calendar day. Out-of-range months and days
// are normalised as time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	return Date{t: time.Date(year, month, day, 0, 0, 0, 0, time.UTC), set: true}
}

// ParseDate parses a date written YYYY-MM-DD and rejects impossible days
// such as 2025-02-30.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("not a date in the form YYYY-MM-DD: %q", s)
	}
	return Date{t: t, set: true}, nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return !d.set }

// Compare returns -1 if d is before o, 0 if they are the same day and +1 if
// d is after o.
func (d Date) Compare(o Date) int { return d.t.Compare(o.t) }

// String returns the date as YYYY-MM-DD, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(dateLayout)
}

// MarshalJSON writes the date as a "YYYY-MM-DD" string, or null for the
// zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}
