package flare

import (
	"testing"
	"time"
)

func pd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestAddWorkingDays(t *testing.T) {
	for _, tc := range []struct {
		from time.Time
		n    int
		want time.Time
	}{
		{pd(2026, 3, 13), 5, pd(2026, 3, 20)}, // Friday to Friday
		{pd(2026, 3, 14), 5, pd(2026, 3, 20)}, // Saturday: Monday is the first
		{pd(2026, 3, 16), 5, pd(2026, 3, 23)}, // Monday to the next Monday
		{pd(2026, 3, 18), 1, pd(2026, 3, 19)},
		{pd(2026, 3, 20), 1, pd(2026, 3, 23)}, // over a weekend
		{pd(2026, 3, 20), 0, pd(2026, 3, 20)},
		{time.Date(2026, 3, 13, 23, 30, 0, 0, time.UTC), 5, pd(2026, 3, 20)},
	} {
		if got := AddWorkingDays(tc.from, tc.n); !got.Equal(tc.want) {
			t.Errorf("%s + %d working days = %s, want %s", tc.from.Format("Mon 2006-01-02"), tc.n, got.Format("Mon 2006-01-02"), tc.want.Format("Mon 2006-01-02"))
		}
	}
}

func TestDeadlines(t *testing.T) {
	cfg := DefaultProtectionConfig()
	sus := &StatusDecision{DecidedOn: pd(2026, 3, 13), DecidedBy: DecidedByNGO}
	pre := &StatusDecision{DecidedOn: pd(2026, 3, 20), DecidedBy: DecidedByPolice}
	recEnd := pd(2026, 5, 10)
	for _, tc := range []struct {
		name       string
		v          *VictimStatus
		recovery   *time.Time
		today      time.Time
		due        string
		overdue    bool
		conclusive string
		none       bool
	}{
		{name: "nothing", v: nil, today: pd(2026, 4, 1), none: true},
		{name: "identified only", v: &VictimStatus{Identified: pre}, today: pd(2026, 4, 1), none: true},
		{name: "suspected, on time", v: &VictimStatus{Suspected: sus}, today: pd(2026, 3, 20), due: "2026-03-20"},
		{name: "suspected, late", v: &VictimStatus{Suspected: sus}, today: pd(2026, 3, 21), due: "2026-03-20", overdue: true},
		{name: "decided late is not overdue", v: &VictimStatus{Suspected: sus, Presumed: pre}, today: pd(2026, 4, 1), due: "2026-03-20", conclusive: "2026-04-19"},
		{name: "identified without presumed", v: &VictimStatus{Suspected: sus, Identified: pre}, today: pd(2026, 4, 1), due: "2026-03-20"},
		{name: "recorded recovery period", v: &VictimStatus{Presumed: pre}, recovery: &recEnd, today: pd(2026, 4, 1), conclusive: "2026-05-11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := cfg.Deadlines(tc.v, tc.recovery, tc.today)
			if tc.none {
				if d != nil {
					t.Fatalf("deadlines = %+v, want none", d)
				}
				return
			}
			if d == nil {
				t.Fatal("no deadlines")
			}
			if got := dateText(d.FirstDecisionDue); got != tc.due {
				t.Errorf("first decision due = %q, want %q", got, tc.due)
			}
			if d.FirstDecisionOverdue != tc.overdue {
				t.Errorf("overdue = %v, want %v", d.FirstDecisionOverdue, tc.overdue)
			}
			if got := dateText(d.ConclusiveDecisionFrom); got != tc.conclusive {
				t.Errorf("conclusive from = %q, want %q", got, tc.conclusive)
			}
		})
	}
}

func dateText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

func TestPeriodValidate(t *testing.T) {
	cfg := DefaultProtectionConfig()
	for _, tc := range []struct {
		name  string
		p     ProtectionPeriod
		field string
		ends  string
	}{
		{name: "recovery default", p: ProtectionPeriod{PersonID: "p", Kind: PeriodRecovery, StartsOn: pd(2026, 3, 1)}, ends: "2026-03-30"},
		{name: "permit default", p: ProtectionPeriod{PersonID: "p", Kind: PeriodResidence, StartsOn: pd(2026, 3, 1)}, ends: "2026-08-27"},
		{name: "given end", p: ProtectionPeriod{PersonID: "p", Kind: PeriodResidence, StartsOn: pd(2026, 3, 1), EndsOn: pd(2027, 2, 28)}, ends: "2027-02-28"},
		{name: "no person", p: ProtectionPeriod{Kind: PeriodResidence, StartsOn: pd(2026, 3, 1)}, field: "person_id"},
		{name: "kind", p: ProtectionPeriod{PersonID: "p", Kind: "visa", StartsOn: pd(2026, 3, 1)}, field: "kind"},
		{name: "no start", p: ProtectionPeriod{PersonID: "p", Kind: PeriodRecovery}, field: "starts_on"},
		{name: "end before start", p: ProtectionPeriod{PersonID: "p", Kind: PeriodRecovery, StartsOn: pd(2026, 3, 1), EndsOn: pd(2026, 2, 1)}, field: "ends_on"},
		{name: "agency", p: ProtectionPeriod{PersonID: "p", Kind: PeriodRecovery, StartsOn: pd(2026, 3, 1), AgencyID: "a b"}, field: "agency_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Validate(cfg)
			if tc.field != "" {
				if e, ok := err.(*Error); !ok || e.Fields[tc.field] == "" {
					t.Fatalf("err = %v, want a refusal of %s", err, tc.field)
				}
				return
			}
			if err != nil || tc.p.EndsOn.Format(time.DateOnly) != tc.ends || !tc.p.InitialEndsOn.Equal(tc.p.EndsOn) {
				t.Fatalf("ends %s, %v; want %s", tc.p.EndsOn.Format(time.DateOnly), err, tc.ends)
			}
		})
	}
}

func TestPeriodStatus(t *testing.T) {
	p := ProtectionPeriod{EndsOn: pd(2026, 4, 10)}
	for _, tc := range []struct {
		today time.Time
		left  int
		ended bool
	}{{pd(2026, 4, 1), 9, false}, {time.Date(2026, 4, 10, 23, 0, 0, 0, time.UTC), 0, false}, {pd(2026, 4, 11), -1, true}} {
		p.SetStatus(tc.today)
		if p.DaysLeft != tc.left || p.Ended != tc.ended {
			t.Errorf("on %s: %d days left, ended %v; want %d, %v", tc.today, p.DaysLeft, p.Ended, tc.left, tc.ended)
		}
	}
}

func TestServiceValidate(t *testing.T) {
	end := pd(2026, 2, 1)
	for _, tc := range []struct {
		name  string
		s     ProvidedService
		field string
	}{
		{name: "ok by provider", s: ProvidedService{PersonID: "p", Kind: ServiceShelter, Provider: " Safe\thouse ", StartedOn: pd(2026, 3, 1)}},
		{name: "ok by agency", s: ProvidedService{PersonID: "p", Kind: ServiceMedical, AgencyID: "0190", StartedOn: pd(2026, 3, 1)}},
		{name: "kind", s: ProvidedService{PersonID: "p", Kind: "spa", Provider: "x", StartedOn: pd(2026, 3, 1)}, field: "kind"},
		{name: "nobody", s: ProvidedService{PersonID: "p", Kind: ServiceShelter, StartedOn: pd(2026, 3, 1)}, field: "provider"},
		{name: "end before start", s: ProvidedService{PersonID: "p", Kind: ServiceShelter, Provider: "x", StartedOn: pd(2026, 3, 1), EndedOn: &end}, field: "ended_on"},
		{name: "far future", s: ProvidedService{PersonID: "p", Kind: ServiceShelter, Provider: "x", StartedOn: pd(2999, 3, 1)}, field: "started_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Fields[tc.field] == "" {
				t.Fatalf("err = %v, want a refusal of %s", err, tc.field)
			}
		})
	}
}

func TestStampDecidingAgencies(t *testing.T) {
	was := &VictimStatus{Suspected: &StatusDecision{DecidedOn: pd(2026, 3, 1), DecidedBy: DecidedByNGO, AgencyID: "ngo"}}
	now := &VictimStatus{Suspected: &StatusDecision{DecidedOn: pd(2026, 3, 1), DecidedBy: DecidedByNGO},
		Presumed:   &StatusDecision{DecidedOn: pd(2026, 3, 5), DecidedBy: DecidedByPolice},
		Identified: &StatusDecision{DecidedOn: pd(2026, 4, 5), DecidedBy: DecidedByPolice, AgencyID: "court"}}
	now.StampDecidingAgencies(was, "police")
	if now.Suspected.AgencyID != "ngo" || now.Presumed.AgencyID != "police" || now.Identified.AgencyID != "court" {
		t.Fatalf("stamped = %+v %+v %+v", now.Suspected, now.Presumed, now.Identified)
	}
	changed := &VictimStatus{Suspected: &StatusDecision{DecidedOn: pd(2026, 3, 2), DecidedBy: DecidedByNGO}}
	changed.StampDecidingAgencies(was, "police")
	if changed.Suspected.AgencyID != "police" {
		t.Fatalf("a changed stage keeps the old agency: %+v", changed.Suspected)
	}
	var none *VictimStatus
	none.StampDecidingAgencies(was, "x") // no panic
}

func TestProtectionConfigValidate(t *testing.T) {
	if err := DefaultProtectionConfig().Validate(); err != nil {
		t.Fatal(err)
	}
	c := DefaultProtectionConfig()
	c.EndingDays = 0
	if e, ok := c.Validate().(*Error); !ok || e.Fields["periods-ending-days"] == "" {
		t.Fatalf("zero ending days: %v", c.Validate())
	}
}
