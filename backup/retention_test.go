package backup

import (
	"testing"
	"time"
)

func TestRetentionKeep(t *testing.T) {
	// Friday 27 November 2026, ISO week 48; the Monday of week 48 is the
	// 23rd.
	base := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	day := func(d int, h int) time.Time { return base.AddDate(0, 0, -d).Add(time.Duration(h) * time.Hour) }
	tests := []struct {
		name  string
		keep  Retention
		times []time.Time
		want  []bool
	}{
		{"none", Retention{Daily: 7, Weekly: 4}, nil, []bool{}},
		{"the newest is always kept", Retention{}, []time.Time{day(3, 0), day(0, 0), day(1, 0)}, []bool{false, true, false}},
		{"newest of each of the last 2 days", Retention{Daily: 2},
			[]time.Time{day(0, 0), day(0, 1), day(1, 5), day(1, 2), day(2, 0)},
			[]bool{false, true, true, false, false}},
		{"days are counted over backups, not the calendar", Retention{Daily: 2},
			[]time.Time{day(30, 0), day(40, 0), day(50, 0)},
			[]bool{true, true, false}},
		{"newest of each of the last 2 ISO weeks", Retention{Weekly: 2},
			// 27th (wk 48), 23rd Monday (wk 48), 22nd Sunday (wk 47), 15th (wk 46)
			[]time.Time{day(0, 0), day(4, 0), day(5, 0), day(12, 0)},
			[]bool{true, false, true, false}},
		{"daily and weekly together", Retention{Daily: 1, Weekly: 3},
			[]time.Time{day(0, 0), day(1, 0), day(5, 0), day(6, 0), day(12, 0), day(19, 0)},
			[]bool{true, false, true, false, true, false}},
		{"ISO week across the new year", Retention{Weekly: 1},
			// 31 Dec 2026 is a Thursday of 2026-W53; 1 Jan 2027 is in the same ISO week.
			[]time.Time{time.Date(2026, 12, 31, 12, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC)},
			[]bool{false, true}},
		{"times in other zones count by their UTC day", Retention{Daily: 1},
			[]time.Time{time.Date(2026, 11, 27, 1, 0, 0, 0, time.FixedZone("X", 3*3600)), time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC)},
			// 01:00+03 is 22:00 UTC on the 26th: the newer of the same day.
			[]bool{true, false}},
		{"negative counts keep only the newest", Retention{Daily: -1, Weekly: -5},
			[]time.Time{day(0, 0), day(1, 0)}, []bool{true, false}},
		{"duplicates: the first of equal times", Retention{Daily: 5},
			[]time.Time{day(0, 0), day(0, 0)}, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.keep.Keep(tt.times)
			if len(got) != len(tt.want) {
				t.Fatalf("Keep = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Keep = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestFileName(t *testing.T) {
	at := time.Date(2026, 11, 27, 3, 4, 5, 999, time.FixedZone("X", 3600))
	name := FileName(at)
	if name != "flare-backup-20261127T020405Z.age" {
		t.Fatalf("FileName = %q", name)
	}
	got, ok := ParseFileName("/some/dir/" + name)
	if !ok || !got.Equal(at.Truncate(time.Second)) {
		t.Fatalf("ParseFileName = %v, %v", got, ok)
	}
	for _, other := range []string{"flare.db", "flare-backup-20261127T020405Z.age.partial", "flare-backup-2026.age",
		"flare-backup-20261127T020405.age", "flare-backup-20261327T020405Z.age", "x-flare-backup-20261127T020405Z.age"} {
		if _, ok := ParseFileName(other); ok {
			t.Errorf("ParseFileName(%q) accepted a name FileName never writes", other)
		}
	}
}
