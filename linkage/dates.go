package linkage

import (
	"fmt"
	"strings"
	"time"
)

// Date is a calendar date read leniently from a record.
type Date struct {
	Year, Month, Day int
}

// Days returns the number of days since 1970-01-01, for date distances.
func (d Date) Days() int {
	return int(time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

var monthNames = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}

// ParseDate reads a date written in any of the forms registers use:
// YYYYMMDD, YYYY-MM-DD (any separator), DD-MM-YYYY (any separator; day
// first, the order of most of the world), and "12 March 1990" or "March 12,
// 1990" with an English month name. A day/month pair in the wrong order is
// recognised when it can only be read one way ("1990-25-03" and "03/25/1990"
// are 25 March). It reports false for anything that is not a real calendar
// date, such as "19570230".
func ParseDate(s string) (Date, bool) {
	f := strings.Fields(Fold(s))
	switch len(f) {
	case 1:
		t := f[0]
		if len(t) == 8 && isDigits(t) {
			return makeDate(atoi(t[:4]), atoi(t[4:6]), atoi(t[6:]), true)
		}
		return Date{}, false
	case 3:
	default:
		return Date{}, false
	}
	if m, ok := monthOf(f[1]); ok && isDigits(f[0]) && isDigits(f[2]) { // 12 march 1990
		return makeDate(atoi(f[2]), m, atoi(f[0]), false)
	}
	if m, ok := monthOf(f[0]); ok && isDigits(f[1]) && isDigits(f[2]) { // march 12 1990
		return makeDate(atoi(f[2]), m, atoi(f[1]), false)
	}
	if !isDigits(f[0]) || !isDigits(f[1]) || !isDigits(f[2]) {
		return Date{}, false
	}
	if len(f[0]) == 4 { // year first
		return makeDate(atoi(f[0]), atoi(f[1]), atoi(f[2]), true)
	}
	if len(f[2]) == 4 { // day first
		return makeDate(atoi(f[2]), atoi(f[1]), atoi(f[0]), true)
	}
	return Date{}, false
}

func monthOf(word string) (int, bool) {
	if len(word) < 3 {
		return 0, false
	}
	m, ok := monthNames[word[:3]]
	return m, ok
}

// makeDate validates a date, swapping day and month when allowed and only
// the swapped reading is a real date.
func makeDate(y, m, d int, maySwap bool) (Date, bool) {
	if validDate(y, m, d) {
		return Date{y, m, d}, true
	}
	if maySwap && validDate(y, d, m) {
		return Date{y, d, m}, true
	}
	return Date{}, false
}

func validDate(y, m, d int) bool {
	if y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string already checked by isDigits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
