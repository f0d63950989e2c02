package http

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// claimFixture adds a worker and an employer to the fixture's own case.
func claimFixture(t *testing.T, f *staffFixture) (worker *flare.Person, employer *flare.Organisation) {
	t.Helper()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	worker = &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim, PrimaryLanguage: "fr",
		PersonIdentity: &flare.PersonIdentity{FirstName: "Wanjiru"}}
	if err := f.cfg.Persons.CreatePerson(console, worker); err != nil {
		t.Fatal(err)
	}
	employer = &flare.Organisation{CaseID: f.ownCase.ID, Type: flare.OrgEmployer, Name: "Rift Roses Ltd", Country: "KE"}
	if err := f.cfg.Organisations.CreateOrganisation(console, employer); err != nil {
		t.Fatal(err)
	}
	return worker, employer
}

// TestClaimPages enters a claim through the page (periods pasted as CSV),
// previews its computation, saves it, records an award and payments, and
// sees a refused payment explained; on both databases (issue #8).
func TestClaimPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			worker, employer := claimFixture(t, f)
			a := f.signedIn(t, f.agency, flare.RoleInspector, flare.RoleFundOfficer)
			res, body := a.do("GET", "/persons/"+worker.ID+"/claims/new", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "Rift Roses Ltd") {
				t.Fatalf("claim form = %d", res.StatusCode)
			}
			form := url.Values{"currency": {"KES"}, "minimum_wages": {"2026-01-01 100\n2026-02-15 110"}, "normal_hours": {"45"},
				"overtime_premium": {"0.5"}, "interest_rate": {"0.1"}, "as_of": {"2026-11-01"},
				"periods": {"start,end,hours,paid,lawful,unlawful,estimated\n2026-01-01,2026-01-31,260,12000,0,3000,no\n2026-02-01,2026-02-28,240,0,,,yes"},
				"costs":   {"2025-12-20,recruitment fee,15000"}, "offender": {"organisation:" + employer.ID}, "action": {"preview"}}
			res, body = a.do("POST", "/persons/"+worker.ID+"/claims", form)
			if res.StatusCode != 200 || !strings.Contains(body, "statement-table") || !strings.Contains(body, "2026-02-01 – 2026-02-28 *") {
				t.Fatalf("preview = %d", res.StatusCode)
			}
			// A bad line is named by its line number, and nothing is saved.
			bad := url.Values{}
			for k, v := range form {
				bad[k] = v
			}
			bad.Set("periods", "2026-01-01,2026-01-31,260,12000\n2026-02-01,2026-02-28,900,0")
			bad.Set("action", "save")
			res, body = a.do("POST", "/persons/"+worker.ID+"/claims", bad)
			if res.StatusCode != 400 || !strings.Contains(body, "periods, line 2 (hours_worked)") {
				t.Fatalf("bad period = %d", res.StatusCode)
			}
			form.Set("action", "save")
			res, _ = a.do("POST", "/persons/"+worker.ID+"/claims", form)
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/claims/") {
				t.Fatalf("save = %d %q", res.StatusCode, loc)
			}
			res, body = a.do("GET", loc, nil)
			if res.StatusCode != 200 || !strings.Contains(body, "Rift Roses Ltd") || !strings.Contains(body, "@media") && !strings.Contains(body, "statement-table") {
				t.Fatalf("claim page = %d", res.StatusCode)
			}
			// The statement in the worker's language, without changing the user's.
			if !strings.Contains(body, "?statement_lang=fr") {
				t.Fatal("no link to the statement in the worker's language")
			}
			res, body = a.do("GET", loc+"?statement_lang=fr", nil)
			if res.StatusCode != 200 || !strings.Contains(body, `lang="fr"`) || len(res.Cookies()) != 0 {
				t.Fatalf("statement in French = %d, cookies %v", res.StatusCode, res.Cookies())
			}
			entry := func(kind, amount, basis string) (*http.Response, string) {
				return a.do("POST", loc+"/ledger", url.Values{"kind": {kind}, "amount": {amount}, "decided_on": {"2026-11-10"},
					"basis": {basis}, "reference": {"Labour court 2026/77"}})
			}
			if res, body := entry("paid_by_fund", "1000", ""); res.StatusCode != http.StatusConflict || !strings.Contains(body, `role="alert"`) {
				t.Fatalf("payment before award = %d", res.StatusCode)
			}
			if res, _ := entry("awarded", "20000", "judgment"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("award = %d", res.StatusCode)
			}
			if res, _ := entry("paid_by_fund", "15000", ""); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("fund payment = %d", res.StatusCode)
			}
			_, body = a.do("GET", "/api/v1"+loc, nil)
			for _, want := range []string{`"owed_to_worker":"5000.00"`, `"outstanding_recovery":"15000.00"`, `"currency":"KES"`} {
				if !strings.Contains(body, want) {
					t.Fatalf("claim API lacks %s: %s", want, body)
				}
			}
			if _, body := a.do("GET", "/persons/"+worker.ID, nil); !strings.Contains(body, `href="`+loc+`"`) {
				t.Fatal("the worker's page does not list the claim")
			}
			res, body = a.do("GET", "/fund", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "15000.00") {
				t.Fatalf("fund page = %d", res.StatusCode)
			}
		})
	}
}

// TestClaimAPI creates a claim with the document of `flare wages`, refuses
// bad input naming the field, and hides the claim from another agency.
func TestClaimAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			worker, employer := claimFixture(t, f)
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			path := "/api/v1/persons/" + worker.ID + "/claims"
			body := `{"claim":` + storetest.ClaimDocument("x") + `,"offenders":[{"type":"organisation","id":"` + employer.ID + `"}]}`
			res, out := a.json("POST", path, body)
			if res.StatusCode != 201 || !strings.Contains(out, `"claimed":"`) || !strings.Contains(out, `"estimated_hours":true`) {
				t.Fatalf("create = %d %s", res.StatusCode, out)
			}
			loc := res.Header.Get("Location")
			for _, tt := range []struct{ body, field string }{
				{`{"claim":{"rules":{}},"offenders":[{"type":"organisation","id":"` + employer.ID + `"}]}`, "claim.rules.currency"},
				{`{"offenders":[]}`, "claim"},
				{`{"claim":` + storetest.ClaimDocument("x") + `,"offenders":[]}`, "offenders"},
			} {
				if res, out := a.json("POST", path, tt.body); res.StatusCode != 400 || !strings.Contains(out, `"`+tt.field) {
					t.Errorf("%.60s = %d %s, want 400 naming %s", tt.body, res.StatusCode, out, tt.field)
				}
			}
			if res, out := a.json("POST", strings.TrimPrefix(loc, "")+"/ledger", `{"kind":"awarded","amount":"10","decided_on":"2026-11-01","basis":"order","reference":"Order 5"}`); res.StatusCode != 201 {
				t.Fatalf("ledger = %d %s", res.StatusCode, out)
			}
			if res, out := a.json("POST", loc+"/ledger", `{"kind":"stolen","amount":"10","decided_on":"2026-11-01","reference":"x"}`); res.StatusCode != 400 || !strings.Contains(out, `"kind"`) {
				t.Fatalf("bad kind = %d %s", res.StatusCode, out)
			}
			police := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			if res, _ := police.do("GET", loc, nil); res.StatusCode != 404 {
				t.Fatalf("police read = %d", res.StatusCode)
			}
		})
	}
}

// TestClaimUpload imports the periods as an uploaded CSV file.
func TestClaimUpload(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	worker, employer := claimFixture(t, f)
	a := f.signedIn(t, f.agency, flare.RoleInspector)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"currency": "KES", "minimum_wages": "2026-01-01 100", "normal_hours": "45",
		"overtime_premium": "0.5", "interest_rate": "0", "as_of": "2026-03-01", "offender": "organisation:" + employer.ID, "action": "save"} {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("periods_file", "periods.csv")
	fw.Write([]byte("2026-01-01,2026-01-31,200,5000\n"))
	mw.Close()
	req := httptest.NewRequest("POST", "/persons/"+worker.ID+"/claims", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = a.remote
	for _, c := range a.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload = %d %s", rec.Code, rec.Body.String())
	}
}
