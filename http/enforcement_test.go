package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
)

// enforcementCase adds to the fixture's own case a worksite and two
// people, a presumed victim and a suspected perpetrator.
func enforcementCase(t *testing.T, f *staffFixture) (site *flare.Worksite, victim, suspect *flare.Person) {
	t.Helper()
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	site = &flare.Worksite{CaseID: f.ownCase.ID, Name: "Kiln 4", Country: "NP"}
	if err := f.cfg.Worksites.CreateWorksite(ctx, site); err != nil {
		t.Fatal(err)
	}
	victim = &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim,
		PersonIdentity: &flare.PersonIdentity{FirstName: "Neema", SecondName: "Zk9Victim"}}
	suspect = &flare.Person{CaseID: f.ownCase.ID, Role: flare.RoleSuspectedPerpetrator,
		PersonIdentity: &flare.PersonIdentity{FirstName: "Ram", SecondName: "Owner"}}
	for _, p := range []*flare.Person{victim, suspect} {
		if err := f.cfg.Persons.CreatePerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return site, victim, suspect
}

func TestEnforcementAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			site, victim, suspect := enforcementCase(t, f)
			inspector := f.signedIn(t, f.agency, flare.RoleInspector)
			supervisor := f.signedIn(t, f.agency, flare.RoleSupervisor)
			base := "/api/v1/cases/" + f.ownCase.ID

			res, body := inspector.json("POST", base+"/inspections", `{"kind":"unannounced","visited_on":"2026-04-02","inspector_names":["R. Thapa"]}`)
			wantStatus(t, "inspection without worksite", res, body, 400)
			if errorFields(t, body)["worksite_id"] == "" {
				t.Errorf("no field named: %s", body)
			}
			res, body = inspector.json("POST", base+"/inspections", `{"kind":"unannounced","worksite_id":"`+site.ID+`","visited_on":"2 April"}`)
			wantStatus(t, "bad date", res, body, 400)
			if errorFields(t, body)["visited_on"] == "" {
				t.Errorf("no field named: %s", body)
			}
			res, body = inspector.json("POST", base+"/inspections", `{"kind":"unannounced","worksite_id":"`+site.ID+`","visited_on":"2026-04-02",
				"inspector_names":["R. Thapa"],"findings":"Passports in the safe","workers_interviewed":14,"orders":["Stop-work order"]}`)
			wantStatus(t, "inspection", res, body, 201)
			var in flare.Inspection
			if err := json.Unmarshal([]byte(body), &in); err != nil || in.WorkersInterviewed != 14 || res.Header.Get("Location") != "/api/v1/inspections/"+in.ID {
				t.Fatalf("created %s", body)
			}
			res, body = inspector.json("GET", base+"/inspections", "")
			wantStatus(t, "inspections", res, body, 200)
			if !strings.Contains(body, "Passports in the safe") {
				t.Errorf("list = %s", body)
			}
			res, body = inspector.json("GET", "/api/v1/inspections/"+in.ID, "")
			wantStatus(t, "inspection", res, body, 200)

			res, body = inspector.json("POST", base+"/proceedings", `{"kind":"criminal","reference":"CR-12/2026","opened_on":"2026-03-14",
				"person_ids":["`+suspect.ID+`"],"stage":"filed"}`)
			wantStatus(t, "stage of another kind", res, body, 400)
			if errorFields(t, body)["stage"] == "" {
				t.Errorf("no field named: %s", body)
			}
			res, body = inspector.json("POST", base+"/proceedings", `{"kind":"criminal","reference":"CR-12/2026","opened_on":"2026-03-14",
				"person_ids":["`+suspect.ID+`"]}`)
			wantStatus(t, "proceeding", res, body, 201)
			var p flare.Proceeding
			if err := json.Unmarshal([]byte(body), &p); err != nil || p.Stage != flare.StageInvestigation || res.Header.Get("ETag") != `"v1"` {
				t.Fatalf("created %s", body)
			}
			one := "/api/v1/proceedings/" + p.ID
			res, body = inspector.json("PATCH", one, `{"stage":"charged"}`)
			wantStatus(t, "no version", res, body, 428)
			res, body = inspector.json("PATCH", one, `{"version":1,"stage":"charged"}`)
			wantStatus(t, "charged", res, body, 200)
			res, body = inspector.json("PATCH", one, `{"version":1,"stage":"trial"}`)
			wantStatus(t, "stale version in the body", res, body, 409)
			res, body = inspector.jsonIfMatch("PATCH", one, `{"stage":"trial"}`, `"v1"`)
			wantStatus(t, "stale If-Match", res, body, 412)
			res, body = inspector.json("PATCH", one, `{"version":2,"stage":"verdict","outcome":"convicted",
				"penalties":[{"kind":"imprisonment","months":96},{"kind":"fine","amount":150000,"currency":"USD"}]}`)
			wantStatus(t, "verdict", res, body, 200)
			res, body = inspector.json("GET", base+"/proceedings", "")
			wantStatus(t, "proceedings", res, body, 200)
			if !strings.Contains(body, `"months":96`) || !strings.Contains(body, `"outcome":"convicted"`) {
				t.Errorf("list = %s", body)
			}

			// Only supervisors, who alone may erase, are offered the page.
			link := `href="/persons/` + victim.ID + `/erase"`
			if _, page := inspector.do("GET", "/persons/"+victim.ID, nil); strings.Contains(page, link) {
				t.Error("an inspector is offered the erasure page")
			}
			if _, page := supervisor.do("GET", "/persons/"+victim.ID, nil); !strings.Contains(page, link) {
				t.Error("a supervisor is not offered the erasure page")
			}

			// Erasure under the hold of the open proceeding.
			erase := "/api/v1/persons/" + victim.ID + "/erase"
			res, body = inspector.json("POST", erase, `{"reason":"Request of the person"}`)
			wantStatus(t, "inspector erases", res, body, 403)
			res, body = supervisor.json("POST", erase, `{}`)
			wantStatus(t, "no reason", res, body, 400)
			res, body = supervisor.json("POST", erase, `{"reason":"Request of the person"}`)
			wantStatus(t, "erase under hold", res, body, 409)
			if !strings.Contains(body, "criminal proceeding CR-12/2026 open since 2026-03-14") {
				t.Errorf("refusal gives no reason: %s", body)
			}
			res, body = supervisor.json("GET", "/api/v1/persons/"+victim.ID+"/legal-holds", "")
			wantStatus(t, "holds", res, body, 200)
			if !strings.Contains(body, `"reason":"criminal proceeding CR-12/2026 open since 2026-03-14"`) {
				t.Errorf("holds = %s", body)
			}
			res, body = inspector.json("PATCH", one, `{"version":3,"stage":"closed"}`)
			wantStatus(t, "closed", res, body, 200)
			if !strings.Contains(body, `"closed_on"`) {
				t.Errorf("closed without a date: %s", body)
			}
			res, body = supervisor.json("POST", erase, `{"reason":"Request of the person"}`)
			wantStatus(t, "erase", res, body, 204)
			res, body = supervisor.json("GET", "/api/v1/persons/"+victim.ID, "")
			wantStatus(t, "erased person", res, body, 200)
			if strings.Contains(body, "Zk9Victim") || !strings.Contains(body, `"erased"`) {
				t.Errorf("erased person = %s", body)
			}
			if n := partyAudit(t, f.db, "person", victim.ID, audit.ActionDelete, audit.OutcomeDenied); n != 2 {
				t.Errorf("refused erasures audited %d times, want 2", n)
			}
			if n := partyAudit(t, f.db, "person", victim.ID, audit.ActionDelete, audit.OutcomeOK); n != 1 {
				t.Errorf("erasure audited %d times", n)
			}

			// Another agency without a grant knows nothing of them.
			stranger := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			for _, path := range []string{base + "/inspections", base + "/proceedings", one, "/api/v1/inspections/" + in.ID} {
				res, body = stranger.json("GET", path, "")
				wantStatus(t, "stranger "+path, res, body, 404)
			}
		})
	}
}

var hiddenVersion = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestEnforcementPages(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	site, victim, suspect := enforcementCase(t, f)
	b := f.signedIn(t, f.agency, flare.RoleInspector)
	sup := f.signedIn(t, f.agency, flare.RoleSupervisor)
	casePath := "/cases/" + f.ownCase.ID

	res, page := b.do("GET", casePath, nil)
	wantStatus(t, "case page", res, page, 200)
	for _, want := range []string{`id="enforcement"`, casePath + "/inspections/new", casePath + "/proceedings/new"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	res, page = b.do("GET", casePath+"/inspections/new", nil)
	wantStatus(t, "inspection form", res, page, 200)
	if !strings.Contains(page, site.ID) {
		t.Error("the form does not offer the worksite")
	}
	form := url.Values{"kind": {"unannounced"}, "worksite_id": {site.ID}, "visited_on": {"2026-04-02"}, "workers_interviewed": {"-3"}}
	res, page = b.do("POST", casePath+"/inspections", form)
	wantStatus(t, "bad inspection", res, page, 400)
	if !strings.Contains(page, `class="field-error"`) {
		t.Error("no error shown next to the field")
	}
	form.Set("workers_interviewed", "9")
	form.Set("with_me", "yes")
	form.Set("orders", "Stop-work order\nPay wages owed")
	form.Set("findings", "Twelve workers sleep in the kiln\nPassports kept")
	res, page = b.do("POST", casePath+"/inspections", form)
	wantStatus(t, "inspection", res, page, 303)
	res, page = b.do("GET", casePath, nil)
	for _, want := range []string{"Kiln 4", "Stop-work order; Pay wages owed", "<p dir=\"auto\">Passports kept</p>"} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}

	res, page = b.do("GET", casePath+"/proceedings/new", nil)
	wantStatus(t, "proceeding form", res, page, 200)
	if !strings.Contains(page, suspect.ID) {
		t.Error("the form does not offer the suspect")
	}
	res, page = b.do("POST", casePath+"/proceedings", url.Values{"kind": {"criminal"}, "reference": {""}, "opened_on": {"2026-03-14"}})
	wantStatus(t, "no reference", res, page, 400)
	res, _ = b.do("POST", casePath+"/proceedings", url.Values{"kind": {"criminal"}, "reference": {"CR-7/2026"}, "opened_on": {"2026-03-14"},
		"person_ids": {suspect.ID}})
	wantStatus(t, "proceeding", res, "", 303)
	procPath := res.Header.Get("Location")
	res, page = b.do("GET", procPath, nil)
	wantStatus(t, "proceeding page", res, page, 200)
	if !strings.Contains(page, "Owner") || !strings.Contains(page, "CR-7/2026") {
		t.Errorf("proceeding page lacks the suspect or the reference")
	}
	m := hiddenVersion.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no version in the form")
	}
	update := url.Values{"version": {m[1]}, "stage": {"verdict"}, "outcome": {"convicted"}, "reference": {"CR-7/2026"},
		"penalty_kind": {"fine", "imprisonment", ""}, "penalty_amount": {"1500.505", "", ""}, "penalty_currency": {"usd", "", ""},
		"penalty_months": {"", "18", ""}, "penalty_note": {"", "", ""}, "penalty_suspended_1": {"yes"}}
	res, page = b.do("POST", procPath, update)
	wantStatus(t, "amount finer than a cent", res, page, 400)
	if !strings.Contains(page, "field-error") {
		t.Error("no error for the amount")
	}
	update.Set("penalty_amount", "1500.50")
	update["penalty_amount"] = []string{"1500.50", "", ""}
	res, page = b.do("POST", procPath, update)
	wantStatus(t, "verdict", res, page, 303)
	res, page = b.do("GET", procPath, nil)
	if !strings.Contains(page, `value="1500.50"`) || !strings.Contains(page, `value="USD"`) || !strings.Contains(page, `value="18"`) {
		t.Errorf("penalties not shown back")
	}
	res, page = b.do("POST", procPath, update)
	wantStatus(t, "stale save", res, page, 409)

	// The erasure page: the hold, then the erasure once closed.
	erasePath := "/persons/" + victim.ID + "/erase"
	res, page = b.do("GET", erasePath, nil)
	wantStatus(t, "erase page (inspector)", res, page, 200)
	if strings.Contains(page, `name="reason"`) {
		t.Error("the form is offered to an inspector while a hold is on")
	}
	res, page = sup.do("GET", erasePath, nil)
	if !strings.Contains(page, "CR-7/2026") || strings.Contains(page, `name="reason"`) {
		t.Error("the hold is not shown, or the form is")
	}
	res, page = sup.do("POST", erasePath, url.Values{"reason": {"Request of the person"}, "confirm": {"yes"}})
	wantStatus(t, "erase under hold", res, page, 409)
	res, page = sup.do("GET", procPath, nil)
	m = hiddenVersion.FindStringSubmatch(page)
	update.Set("version", m[1])
	update.Set("stage", "closed")
	res, page = sup.do("POST", procPath, update)
	wantStatus(t, "close", res, page, 303)
	res, page = sup.do("GET", erasePath, nil)
	if !strings.Contains(page, `name="reason"`) {
		t.Fatal("no erasure form for the supervisor once the hold is lifted")
	}
	res, page = sup.do("POST", erasePath, url.Values{"reason": {"Request of the person"}})
	wantStatus(t, "erase without confirming", res, page, 400)
	res, page = sup.do("POST", erasePath, url.Values{"reason": {"Request of the person"}, "confirm": {"yes"}})
	wantStatus(t, "erase", res, page, 303)
	res, page = sup.do("GET", "/persons/"+victim.ID, nil)
	if res.StatusCode != http.StatusOK || strings.Contains(page, "Zk9Victim") || strings.Contains(page, "/erase\"") {
		t.Errorf("person page after erasure: %d", res.StatusCode)
	}
}

// screenshotEnforcement records an inspection and a proceeding in the
// fixture's case and returns the enforcement pages to photograph.
func screenshotEnforcement(t *testing.T, f *staffFixture) map[string]string {
	t.Helper()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	site, victim, suspect := enforcementCase(t, f)
	org := &flare.Organisation{CaseID: f.ownCase.ID, Type: flare.OrgEmployer, Name: "Sunrise Bricks Pvt Ltd", Country: "NP"}
	if err := f.cfg.Organisations.CreateOrganisation(console, org); err != nil {
		t.Fatal(err)
	}
	in := &flare.Inspection{CaseID: f.ownCase.ID, WorksiteID: site.ID, Kind: flare.InspectionUnannounced,
		VisitedOn: time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), InspectorNames: []string{"R. Thapa", "S. Gurung (police)"},
		Findings:           "Twelve workers sleep in the kiln.\nPassports kept in the office safe; the manager refused to hand them back.",
		WorkersInterviewed: 12, Orders: []string{"Stop-work order", "Return the passports today"}}
	if err := f.cfg.Inspections.CreateInspection(console, in); err != nil {
		t.Fatal(err)
	}
	criminal := &flare.Proceeding{CaseID: f.ownCase.ID, Kind: flare.ProceedingCriminal, Reference: "CR-12/2026",
		OpenedOn: time.Date(2026, 11, 14, 0, 0, 0, 0, time.UTC), PersonIDs: []string{suspect.ID}, Stage: flare.StageVerdict,
		Outcome: flare.OutcomeConvicted, Penalties: []flare.Penalty{{Kind: flare.PenaltyImprisonment, Months: 96},
			{Kind: flare.PenaltyFine, Amount: 150000000, Currency: "NPR", Suspended: true, Note: "Payable to the victims' fund"}}}
	admin := &flare.Proceeding{CaseID: f.ownCase.ID, Kind: flare.ProceedingAdministrative, Reference: "LI/ORD/88",
		OpenedOn: time.Date(2026, 11, 12, 0, 0, 0, 0, time.UTC), OrganisationIDs: []string{org.ID}}
	for _, p := range []*flare.Proceeding{criminal, admin} {
		if err := f.cfg.Proceedings.CreateProceeding(console, p); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"enforcement_case": "/cases/" + f.ownCase.ID + "#enforcement", "inspection_form": "/cases/" + f.ownCase.ID + "/inspections/new",
		"proceeding_form": "/cases/" + f.ownCase.ID + "/proceedings/new", "proceeding": "/proceedings/" + criminal.ID,
		"person_erase": "/persons/" + victim.ID + "/erase"}
}
