package http

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
)

// protectionPerson adds a presumed victim to the fixture's own case,
// suspected on suspected.
func protectionPerson(t *testing.T, f *staffFixture, suspected time.Time) *flare.Person {
	t.Helper()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	p := &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim,
		PersonIdentity: &flare.PersonIdentity{FirstName: "Efua", SecondName: "Owusu"},
		VictimStatus:   &flare.VictimStatus{Suspected: &flare.StatusDecision{DecidedOn: suspected, DecidedBy: flare.DecidedByNGO}}}
	if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestProtectionAPI: services and periods through the JSON API on both
// databases (issue #6): recorded, listed, updated on a version, extended,
// the ending list, the decision deadlines in the person's JSON, and bad
// input refused with the field named.
func TestProtectionAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			// The fixture's today is Friday 27 November 2026: suspected on
			// Monday 16 November, the first decision was due Monday 23.
			p := protectionPerson(t, f, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
			cw := f.signedIn(t, f.agency, flare.RoleCaseworker)
			base := "/api/v1/persons/" + p.ID

			res, out := cw.json("GET", base, "")
			if res.StatusCode != 200 || !strings.Contains(out, `"first_decision_due":"2026-11-23T00:00:00Z"`) || !strings.Contains(out, `"first_decision_overdue":true`) {
				t.Fatalf("person JSON = %d %s", res.StatusCode, out)
			}

			res, out = cw.json("POST", base+"/services", `{"kind":"shelter","provider":"Safe House","started_on":"2026-11-20","outcome":"Settled"}`)
			if res.StatusCode != 201 {
				t.Fatalf("record service = %d %s", res.StatusCode, out)
			}
			sid := jsonField(t, out, "id")
			for _, bad := range []struct{ body, field string }{
				{`{"kind":"spa","provider":"x","started_on":"2026-11-20"}`, "kind"},
				{`{"kind":"shelter","started_on":"2026-11-20"}`, "provider"},
				{`{"kind":"shelter","provider":"x","started_on":"20/11/2026"}`, "started_on"},
				{`{"kind":"shelter","provider":"x","started_on":"2026-11-20","ended_on":"2026-11-01"}`, "ended_on"},
				{`{"kind":"shelter","provider":"x","started_on":"2026-11-20","agency_id":"police"}`, "agency_id"},
				{`{"kind":"shelter","provider":"x","started_on":"2026-11-20","colour":"red"}`, "colour"},
			} {
				if res, out := cw.json("POST", base+"/services", bad.body); res.StatusCode != 400 || !strings.Contains(out, bad.field) {
					t.Errorf("%s: %d %s", bad.field, res.StatusCode, out)
				}
			}
			if res, out := cw.json("PATCH", "/api/v1/protection-services/"+sid, `{"version":1,"ended_on":"2026-11-26","outcome":"Moved on"}`); res.StatusCode != 200 || !strings.Contains(out, `"version":2`) {
				t.Fatalf("update service = %d %s", res.StatusCode, out)
			}
			if res, _ := cw.json("PATCH", "/api/v1/protection-services/"+sid, `{"version":1,"outcome":"x"}`); res.StatusCode != 409 {
				t.Fatalf("stale update = %d", res.StatusCode)
			}
			if res, out := cw.json("GET", base+"/services", ""); res.StatusCode != 200 || !strings.Contains(out, "Moved on") {
				t.Fatalf("services = %d %s", res.StatusCode, out)
			}

			// A recovery period without an end: 30 days, start day included.
			res, out = cw.json("POST", base+"/protection-periods", `{"kind":"reflection_recovery","starts_on":"2026-11-10"}`)
			if res.StatusCode != 201 || !strings.Contains(out, `"ends_on":"2026-12-09T00:00:00Z"`) || !strings.Contains(out, `"days_left":12`) {
				t.Fatalf("start period = %d %s", res.StatusCode, out)
			}
			pid := jsonField(t, out, "id")
			if res, out := cw.json("POST", base+"/protection-periods", `{"kind":"asylum","starts_on":"2026-11-10"}`); res.StatusCode != 400 || !strings.Contains(out, "kind") {
				t.Fatalf("bad kind = %d %s", res.StatusCode, out)
			}
			if res, out := cw.json("GET", "/api/v1/protection-periods/ending", ""); res.StatusCode != 200 || !strings.Contains(out, pid) || !strings.Contains(out, `"days":14`) {
				t.Fatalf("ending = %d %s", res.StatusCode, out)
			}
			if res, out := cw.json("GET", "/api/v1/protection-periods/ending?days=5", ""); res.StatusCode != 200 || strings.Contains(out, pid) {
				t.Fatalf("ending in 5 days = %d %s", res.StatusCode, out)
			}
			if res, _ := cw.json("GET", "/api/v1/protection-periods/ending?days=lots", ""); res.StatusCode != 400 {
				t.Fatalf("days=lots = %d", res.StatusCode)
			}
			res, out = cw.json("POST", "/api/v1/protection-periods/"+pid+"/extensions", `{"ends_on":"2027-01-15","reason":"Hospital stay"}`)
			if res.StatusCode != 201 || !strings.Contains(out, `"ends_on":"2027-01-15T00:00:00Z"`) || !strings.Contains(out, "Hospital stay") {
				t.Fatalf("extend = %d %s", res.StatusCode, out)
			}
			if res, out := cw.json("POST", "/api/v1/protection-periods/"+pid+"/extensions", `{"ends_on":"2027-01-01","reason":"x"}`); res.StatusCode != 400 || !strings.Contains(out, "ends_on") {
				t.Fatalf("shortening = %d %s", res.StatusCode, out)
			}
			// The conclusive decision waits for the extended period.
			if _, out := cw.json("GET", base, ""); !strings.Contains(out, `"conclusive_decision_from":"2027-01-16T00:00:00Z"`) {
				t.Fatalf("person after the extension: %s", out)
			}

			// Another agency without a grant knows nothing of it.
			police := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			if res, _ := police.json("GET", base+"/services", ""); res.StatusCode != 404 {
				t.Fatalf("police services = %d", res.StatusCode)
			}
			if res, _ := police.json("POST", "/api/v1/protection-periods/"+pid+"/extensions", `{"ends_on":"2027-03-01","reason":"x"}`); res.StatusCode != 404 {
				t.Fatalf("police extension = %d", res.StatusCode)
			}
		})
	}
}

// TestProtectionPages: the person's page shows the section with its
// forms; saving through the forms works without JavaScript, a refused form
// comes back with the typed values and the field named, and the ending
// page lists the period.
func TestProtectionPages(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	p := protectionPerson(t, f, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	cw := f.signedIn(t, f.agency, flare.RoleCaseworker)
	res, page := cw.do("GET", "/persons/"+p.ID, nil)
	if res.StatusCode != 200 || !strings.Contains(page, `id="protection"`) || !strings.Contains(page, "2026-11-23") ||
		!strings.Contains(page, `action="/persons/`+p.ID+`/services"`) {
		t.Fatalf("person page = %d, no protection section", res.StatusCode)
	}
	res, _ = cw.do("POST", "/persons/"+p.ID+"/services", url.Values{"kind": {"legal_aid"}, "agency_id": {f.agency.ID},
		"started_on": {"2026-11-25"}, "outcome": {"Lawyer assigned"}})
	if res.StatusCode != 303 {
		t.Fatalf("service form = %d", res.StatusCode)
	}
	res, body := cw.do("POST", "/persons/"+p.ID+"/services", url.Values{"kind": {"legal_aid"}, "provider": {"Bar Kqz"}, "started_on": {"yesterday"}})
	if res.StatusCode != 400 || !strings.Contains(body, `value="Bar Kqz"`) || !strings.Contains(body, "YYYY-MM-DD") {
		t.Fatalf("bad service form = %d %s", res.StatusCode, body)
	}
	res, _ = cw.do("POST", "/persons/"+p.ID+"/protection-periods", url.Values{"kind": {"residence_permit"}, "starts_on": {"2026-06-01"},
		"agency_id": {f.agency.ID}, "reference": {"RP-77"}})
	if res.StatusCode != 303 {
		t.Fatalf("period form = %d", res.StatusCode)
	}
	_, page = cw.do("GET", "/persons/"+p.ID, nil)
	if !strings.Contains(page, "Lawyer assigned") || !strings.Contains(page, "RP-77") || !strings.Contains(page, "2026-11-27") {
		t.Fatalf("person page lacks the saved records")
	}
	// The permit ends on 2026-11-27: today, its last day.
	res, body = cw.do("GET", "/protection/ending", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Efua Owusu") || !strings.Contains(body, "Last day today") {
		t.Fatalf("ending page = %d", res.StatusCode)
	}
	if res, _ := cw.do("GET", "/protection/ending?days=0", nil); res.StatusCode != 400 {
		t.Fatalf("days=0 = %d", res.StatusCode)
	}
	if _, home := cw.do("GET", "/app", nil); !strings.Contains(home, `href="/protection/ending"`) {
		t.Fatal("the staff home does not link the ending list")
	}
	// The Arabic page is right to left and translated.
	res, body = cw.do("GET", "/protection/ending?lang=ar", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "فترات الحماية") {
		t.Fatalf("Arabic ending page = %d", res.StatusCode)
	}
}

// screenshotProtection records a victim with services and periods (one
// extended, one ending in a few days, one ended) for the screenshots, and
// returns the pages to photograph.
func screenshotProtection(t *testing.T, f *staffFixture) map[string]string {
	t.Helper()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	p := protectionPerson(t, f, time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	end := day(11, 24)
	svc := f.cfg.Protection
	for _, s := range []*flare.ProvidedService{
		{PersonID: p.ID, Kind: flare.ServiceShelter, AgencyID: f.agency.ID, Provider: "Safe House North", StartedOn: day(11, 18),
			Outcome: "Settled in; sharing a room with two other women."},
		{PersonID: p.ID, Kind: flare.ServiceMedical, Provider: "District hospital", StartedOn: day(11, 19), EndedOn: &end},
	} {
		if err := svc.RecordService(console, s); err != nil {
			t.Fatal(err)
		}
	}
	rec := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: day(11, 10), AgencyID: f.agency.ID}
	permit := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodResidence, StartsOn: day(6, 3), AgencyID: f.agency.ID, Reference: "RP-2026-0417"}
	old := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: day(1, 5), EndsOn: day(2, 3), AgencyID: f.agency.ID}
	for _, pp := range []*flare.ProtectionPeriod{rec, permit, old} {
		if err := svc.StartPeriod(console, pp); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.ExtendPeriod(console, rec.ID, 0, &flare.PeriodExtension{EndsOn: day(12, 20), Reason: "In hospital for a week"}); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"protection_person": "/persons/" + p.ID, "protection_ending": "/protection/ending"}
}
