package storetest

import (
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunStatistics: the capture table counts each individual once across the
// agencies' lists, joining records confirmed as the same person, within
// the period and region asked; it is for analysts and supervisors only
// (issue #10).
func RunStatistics(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	police := e.other
	ngo := mustAgency(t, e.db, "Shelter Stats", flare.AgencyNGO)
	day := time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	caseOf := func(a *flare.Agency, ref, region string, opened time.Time) *flare.Case {
		c := newCase(a.ID, ref)
		c.Region, c.OpenedOn = region, opened
		return mustCase(t, e.db, console(), c)
	}
	li, po, sh := caseOf(e.owner, "S-1", "Coast", day), caseOf(police, "S-2", "Coast", day), caseOf(ngo, "S-3", "Coast", day)
	old := caseOf(ngo, "S-4", "Coast", day.AddDate(-3, 0, 0))
	inland := caseOf(police, "S-5", "Inland", day)
	victim := func(c *flare.Case) *flare.Person {
		return e.create(t, console(), &flare.Person{CaseID: c.ID, Role: flare.RolePresumedVictim})
	}
	a1, a2, a3 := victim(li), victim(po), victim(sh) // one woman, three records
	b1, b2 := victim(li), victim(po)                 // another, two records
	victim(li)                                       // seen by the inspectorate only
	victim(sh)                                       // seen by the shelter only
	victim(old)                                      // outside the period
	victim(inland)                                   // outside the region
	e.create(t, console(), &flare.Person{CaseID: li.ID, Role: flare.RoleSuspectedPerpetrator})
	matches := sqlstore.NewMatchService(e.db, e.persons)
	for _, pair := range [][2]*flare.Person{{a1, a2}, {a2, a3}, {b1, b2}} {
		if err := matches.DecideMatch(console(), pair[0].ID, pair[1].ID, flare.MatchConfirmed); err != nil {
			t.Fatal(err)
		}
	}
	svc := sqlstore.NewStatisticsService(e.db)
	f := flare.CaptureFilter{From: day.AddDate(0, -1, 0), To: day.AddDate(0, 1, 0), Region: "Coast"}
	got, err := svc.CaptureTable(actorOf(e.owner, flare.RoleAnalyst), f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Individuals != 4 || got.Records != 7 || got.Links != 3 || len(got.Lists) != 3 {
		t.Fatalf("table = %+v: want 4 individuals from 7 records and 3 links on 3 lists", got)
	}
	want := map[string]int{}
	for _, p := range got.Patterns {
		key := ""
		for i, on := range p.On {
			if on {
				key += got.Lists[i] + "+"
			}
		}
		want[key] = p.Count
	}
	lists := map[string]int{"Inspectorate Persons+Police Persons+Shelter Stats+": 1, "Inspectorate Persons+Police Persons+": 1,
		"Inspectorate Persons+": 1, "Shelter Stats+": 1}
	for k, n := range lists {
		if want[k] != n {
			t.Fatalf("patterns = %v, want %v", want, lists)
		}
	}
	for _, role := range []flare.Role{flare.RoleInspector, flare.RoleAdmin} {
		if _, err := svc.CaptureTable(actorOf(e.owner, role), f); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
			t.Fatalf("%s: %v, want forbidden", role, err)
		}
	}
	if _, err := svc.CaptureTable(actorOf(e.owner, flare.RoleAnalyst), flare.CaptureFilter{From: day, To: day.AddDate(0, 0, -1)}); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("period backwards: %v", err)
	}
}
