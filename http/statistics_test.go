package http

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
)

// TestEstimate builds three agencies' lists of presumed victims with known
// overlaps (through confirmed links), and has an analyst estimate the
// hidden number through the page and the API; small cells are hidden and
// no name leaves (issue #10, R-SD1), on both databases.
func TestEstimate(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			ngo := &flare.Agency{Name: "Shelter", Kind: flare.AgencyNGO}
			if err := f.cfg.Agencies.CreateAgency(console, ngo); err != nil {
				t.Fatal(err)
			}
			day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			caseOf := func(agencyID, ref string) string {
				c := &flare.Case{AgencyID: agencyID, Reference: ref, Title: "List " + ref, Status: flare.CaseOpen, OpenedOn: day, Region: "Coast"}
				if err := f.cfg.Cases.CreateCase(console, c); err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			cases := []string{caseOf(f.agency.ID, "E-LI"), caseOf(f.otherCase.AgencyID, "E-PO"), caseOf(ngo.ID, "E-SH")}
			// Individuals per pattern of the three lists (bit i: on list i).
			patterns := map[int]int{1: 40, 2: 30, 4: 25, 3: 12, 5: 10, 6: 8, 7: 4}
			for mask, n := range patterns {
				for range n {
					var records []string
					for i, c := range cases {
						if mask&(1<<i) == 0 {
							continue
						}
						p := &flare.Person{CaseID: c, Role: flare.RolePresumedVictim,
							PersonIdentity: &flare.PersonIdentity{FirstName: "Zuri", SecondName: "Secretname"}}
						if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
							t.Fatal(err)
						}
						records = append(records, p.ID)
					}
					for _, other := range records[1:] {
						if err := f.cfg.Matches.DecideMatch(console, records[0], other, flare.MatchConfirmed); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			analyst := f.signedIn(t, f.agency, flare.RoleAnalyst)
			res, body := analyst.do("GET", "/api/v1/statistics/estimate?from=2026-01-01&to=2026-12-31&region=Coast", nil)
			if res.StatusCode != 200 {
				t.Fatalf("estimate = %d %s", res.StatusCode, body)
			}
			var out struct {
				Lists    []string `json:"lists"`
				Observed int64    `json:"observed"`
				Total    float64  `json:"total"`
				CILow    float64  `json:"ci_low"`
				Patterns []struct {
					Count *int `json:"count"`
				} `json:"patterns"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Lists) != 3 || out.Observed != 129 || out.Total <= float64(out.Observed) || out.CILow > out.Total {
				t.Fatalf("estimate = %s", body)
			}
			suppressed := 0
			for _, p := range out.Patterns {
				if p.Count == nil {
					suppressed++
				}
			}
			if suppressed != 2 { // the 8 and the 4
				t.Fatalf("%d cells suppressed, want 2: %s", suppressed, body)
			}
			res, page := analyst.do("GET", "/statistics?from=2026-01-01&to=2026-12-31&region=Coast", nil)
			if res.StatusCode != 200 || !strings.Contains(page, "&lt; 10") || strings.Contains(page, "Secretname") || strings.Contains(body, "Secretname") {
				t.Fatalf("estimate page = %d", res.StatusCode)
			}
			// One list only: a clear refusal, not a number.
			if res, body := analyst.do("GET", "/api/v1/statistics/estimate?from=2026-01-01&to=2026-12-31&region=Nowhere", nil); res.StatusCode != 400 {
				t.Fatalf("no lists = %d %s", res.StatusCode, body)
			}
			if res, _ := analyst.do("GET", "/api/v1/statistics/estimate?from=2026-13-01&to=2026-12-31", nil); res.StatusCode != 400 {
				t.Fatalf("bad date = %d", res.StatusCode)
			}
			inspector := f.signedIn(t, f.agency, flare.RoleInspector)
			if res, _ := inspector.do("GET", "/api/v1/statistics/estimate?from=2026-01-01&to=2026-12-31", nil); res.StatusCode != 403 {
				t.Fatalf("inspector = %d", res.StatusCode)
			}
		})
	}
}
