package backup

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Retention says which scheduled backups to keep: the newest of each of the
// last Daily days that have a backup, and the newest of each of the last
// Weekly ISO weeks that have one. The newest backup is always kept.
type Retention struct {
	Daily  int
	Weekly int
}

// Keep returns which of the backup times to keep (keep[i] for times[i]).
// It is a pure function of its input: days and weeks are UTC calendar days
// and ISO weeks, counted over the backups that exist rather than the
// calendar, so that a server that was down for a month does not wake up and
// delete every backup it has.
func (r Retention) Keep(times []time.Time) []bool {
	keep := make([]bool, len(times))
	if len(times) == 0 {
		return keep
	}
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	// Newest first; ties by index, so equal times are handled the same
	// way every run.
	slices.SortStableFunc(order, func(a, b int) int { return times[b].Compare(times[a]) })
	keep[order[0]] = true
	mark := func(limit int, period func(time.Time) string) {
		seen := map[string]bool{}
		for _, i := range order {
			p := period(times[i].UTC())
			if seen[p] {
				continue
			}
			if len(seen) == limit {
				return
			}
			seen[p] = true
			keep[i] = true
		}
	}
	mark(max(r.Daily, 0), func(t time.Time) string { return t.Format("2006-01-02") })
	mark(max(r.Weekly, 0), func(t time.Time) string {
		y, w := t.ISOWeek()
		return fmt.Sprintf("%d-W%02d", y, w)
	})
	return keep
}

// filePrefix and fileSuffix frame the names of scheduled backups.
const (
	filePrefix = "flare-backup-"
	fileSuffix = ".age"
	fileTime   = "20060102T150405Z"
)

// FileName is the name of a scheduled backup taken at t, which sorts by
// time and carries it, so retention needs nothing but the directory.
func FileName(t time.Time) string {
	return filePrefix + t.UTC().Format(fileTime) + fileSuffix
}

// ParseFileName returns the time in a name FileName made, and false for
// any other name: retention never touches a file it did not write.
func ParseFileName(name string) (time.Time, bool) {
	name = filepath.Base(name)
	if !strings.HasPrefix(name, filePrefix) || !strings.HasSuffix(name, fileSuffix) {
		return time.Time{}, false
	}
	t, err := time.Parse(fileTime, strings.TrimSuffix(strings.TrimPrefix(name, filePrefix), fileSuffix))
	if err != nil || FileName(t) != name {
		return time.Time{}, false
	}
	return t, true
}
