package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// partyAudit counts the audit entries about one record.
func partyAudit(t *testing.T, db *sqlstore.DB, recordType, id string, action audit.Action, outcome audit.Outcome) int {
	t.Helper()
	entries, err := db.AuditEntries(context.Background(), sqlstore.AuditFilter{RecordType: recordType, RecordID: id, Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Outcome == outcome {
			n++
		}
	}
	return n
}

func wantStatus(t *testing.T, what string, res *http.Response, body string, status int) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s = %d, want %d: %.400s", what, res.StatusCode, status, body)
	}
}

// errorFields reads the fields of a JSON error body.
func errorFields(t *testing.T, body string) map[string]string {
	t.Helper()
	var er ErrorResponse
	if err := json.Unmarshal([]byte(body), &er); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return er.Error.Fields
}

func TestOrganisationsAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			b := f.signedIn(t, f.agency, flare.RoleInspector)
			base := "/api/v1/cases/" + f.ownCase.ID + "/organisations"

			res, body := b.json("POST", base, `{"type":"employer","name":"Sunrise Bricks","country":"XX"}`)
			wantStatus(t, "bad country", res, body, 400)
			if errorFields(t, body)["country"] == "" {
				t.Errorf("bad country names no field: %s", body)
			}
			res, body = b.json("POST", base, `{"type":"employer","name":"Sunrise Bricks","colour":"red"}`)
			wantStatus(t, "unknown field", res, body, 400)

			res, body = b.json("POST", base, `{"type":"employer","name":"Sunrise Bricks","trade_names":["Sunrise Kilns"],
				"registration_numbers":[{"scheme":"tax_id","number":"PAN-301"}],"country":"np","phone":"+977 1 4200000"}`)
			wantStatus(t, "create", res, body, 201)
			var o flare.Organisation
			if err := json.Unmarshal([]byte(body), &o); err != nil || o.Country != "NP" || o.CaseID != f.ownCase.ID {
				t.Fatalf("created %s", body)
			}
			if res.Header.Get("ETag") != `"v1"` || res.Header.Get("Location") != "/api/v1/organisations/"+o.ID {
				t.Errorf("ETag %q Location %q", res.Header.Get("ETag"), res.Header.Get("Location"))
			}
			res, body = b.json("GET", base, "")
			wantStatus(t, "list", res, body, 200)
			if !strings.Contains(body, `"Sunrise Kilns"`) {
				t.Errorf("list = %s", body)
			}
			one := "/api/v1/organisations/" + o.ID
			res, body = b.json("GET", one, "")
			wantStatus(t, "read", res, body, 200)
			if res.Header.Get("ETag") != `"v1"` {
				t.Errorf("read ETag %q", res.Header.Get("ETag"))
			}

			res, body = b.json("PATCH", one, `{"city":"Bhaktapur"}`)
			wantStatus(t, "patch without If-Match", res, body, 428)
			res, body = b.jsonIfMatch("PATCH", one, `{"city":"Bhaktapur"}`, `"v1"`)
			wantStatus(t, "patch", res, body, 200)
			if res.Header.Get("ETag") != `"v2"` || !strings.Contains(body, `"Bhaktapur"`) || !strings.Contains(body, `"PAN-301"`) {
				t.Errorf("patched %s %s", res.Header.Get("ETag"), body)
			}
			res, body = b.jsonIfMatch("PATCH", one, `{"city":"Kathmandu"}`, `"v1"`)
			wantStatus(t, "stale patch", res, body, 412)
			res, body = b.jsonIfMatch("PATCH", one, `{"phone":"call me"}`, `"v2"`)
			wantStatus(t, "bad phone", res, body, 400)
			if errorFields(t, body)["phone"] == "" {
				t.Errorf("bad phone names no field: %s", body)
			}

			// Another agency does not know the case; an admin knows it
			// exists but sees no contents.
			police := f.signedIn(t, &flare.Agency{ID: f.otherCase.AgencyID}, flare.RoleInvestigator)
			res, body = police.json("GET", one, "")
			wantStatus(t, "foreign read", res, body, 404)
			res, body = police.json("POST", base, `{"type":"buyer","name":"Planted"}`)
			wantStatus(t, "foreign create", res, body, 404)
			admin := f.signedIn(t, f.agency, flare.RoleAdmin)
			res, body = admin.json("GET", base, "")
			wantStatus(t, "admin list", res, body, 403)

			res, body = b.jsonIfMatch("DELETE", one, "", `"v2"`)
			wantStatus(t, "inspector delete", res, body, 403)
			sup := f.signedIn(t, f.agency, flare.RoleSupervisor)
			res, body = sup.json("DELETE", one, "")
			wantStatus(t, "delete without If-Match", res, body, 428)
			res, body = sup.jsonIfMatch("DELETE", one, "", `"v2"`)
			wantStatus(t, "supervisor delete", res, body, 204)

			for _, tt := range []struct {
				action  audit.Action
				outcome audit.Outcome
				want    int
			}{
				{audit.ActionCreate, audit.OutcomeOK, 1}, {audit.ActionRead, audit.OutcomeOK, 2},
				{audit.ActionUpdate, audit.OutcomeOK, 1}, {audit.ActionRead, audit.OutcomeDenied, 1},
				{audit.ActionDelete, audit.OutcomeDenied, 1}, {audit.ActionDelete, audit.OutcomeOK, 1},
			} {
				if n := partyAudit(t, f.db, "organisation", o.ID, tt.action, tt.outcome); n != tt.want {
					t.Errorf("%s/%s entries = %d, want %d", tt.action, tt.outcome, n, tt.want)
				}
			}
		})
	}
}

func TestWorksitesAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			b := f.signedIn(t, f.agency, flare.RoleCaseworker)
			base := "/api/v1/cases/" + f.ownCase.ID + "/worksites"
			res, body := b.json("POST", base, `{"name":"Kiln 3","isic_section":"A","isic_division":"23"}`)
			wantStatus(t, "division of another section", res, body, 400)
			if errorFields(t, body)["isic_division"] == "" {
				t.Errorf("no isic_division field: %s", body)
			}
			res, body = b.json("POST", base, `{"name":"Kiln 3","latitude":27.67}`)
			wantStatus(t, "latitude alone", res, body, 400)
			res, body = b.json("POST", base, `{"name":"Kiln 3","latitude":"north"}`)
			wantStatus(t, "latitude as text", res, body, 400)

			res, body = b.json("POST", base, `{"name":"Kiln 3","city":"Bhaktapur","country":"NP","latitude":27.671,"longitude":85.4298,"isic_division":"23"}`)
			wantStatus(t, "create", res, body, 201)
			var ws flare.Worksite
			if err := json.Unmarshal([]byte(body), &ws); err != nil || ws.ISICSection != "C" || ws.Latitude == nil || *ws.Latitude != 27.671 {
				t.Fatalf("created %s", body)
			}
			one := "/api/v1/worksites/" + ws.ID
			res, body = b.jsonIfMatch("PATCH", one, `{"latitude":null,"longitude":null,"isic_section":"F","isic_division":"41"}`, `"v1"`)
			wantStatus(t, "clear coordinates", res, body, 200)
			if strings.Contains(body, "latitude") || !strings.Contains(body, `"isic_division":"41"`) {
				t.Errorf("patched %s", body)
			}
			res, body = b.jsonIfMatch("PATCH", one, `{"latitude":"x"}`, `"v2"`)
			wantStatus(t, "latitude as text", res, body, 400)
			if errorFields(t, body)["latitude"] == "" {
				t.Errorf("no latitude field: %s", body)
			}
			res, body = b.jsonIfMatch("PATCH", one, `{"name":"Old"}`, `"v1"`)
			wantStatus(t, "stale", res, body, 412)
			res, body = b.json("GET", base, "")
			wantStatus(t, "list", res, body, 200)

			// The case list finds the case by the worksite's sector.
			res, body = b.json("GET", "/api/v1/cases?sector=F", "")
			if res.StatusCode == 200 && !strings.Contains(body, f.ownCase.ID) {
				t.Errorf("sector filter does not find the case: %s", body)
			}

			police := f.signedIn(t, &flare.Agency{ID: f.otherCase.AgencyID}, flare.RoleInvestigator)
			res, body = police.json("GET", one, "")
			wantStatus(t, "foreign read", res, body, 404)
			analyst := f.signedIn(t, f.agency, flare.RoleAnalyst)
			res, body = analyst.jsonIfMatch("PATCH", one, `{"name":"x"}`, `"v2"`)
			wantStatus(t, "analyst update", res, body, 403)
			if n := partyAudit(t, f.db, "worksite", ws.ID, audit.ActionUpdate, audit.OutcomeOK); n != 1 {
				t.Errorf("update entries = %d", n)
			}
			if n := partyAudit(t, f.db, "worksite", ws.ID, audit.ActionUpdate, audit.OutcomeDenied); n != 1 {
				t.Errorf("denied update entries = %d", n)
			}

			res, body = b.json("GET", "/api/v1/isic", "")
			wantStatus(t, "isic", res, body, 200)
			var list struct {
				Sections []isicSectionJSON `json:"sections"`
			}
			divisions := 0
			if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Sections) != 21 {
				t.Fatalf("isic = %.300s", body)
			}
			for _, s := range list.Sections {
				divisions += len(s.Divisions)
			}
			if divisions != 88 {
				t.Errorf("isic lists %d divisions", divisions)
			}
		})
	}
}

func TestPartiesPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			b := f.signedIn(t, f.agency, flare.RoleInspector)
			caseURL := "/cases/" + f.ownCase.ID

			res, page := b.do("GET", caseURL, nil)
			wantStatus(t, "case page", res, page, 200)
			for _, want := range []string{`id="parties"`, caseURL + "/organisations/new", caseURL + "/worksites/new"} {
				if !strings.Contains(page, want) {
					t.Errorf("case page lacks %q", want)
				}
			}
			res, page = b.do("GET", caseURL+"/organisations/new?lang=fr", nil)
			wantStatus(t, "new organisation form", res, page, 200)
			if !strings.Contains(page, "Ajouter un organisme") || !strings.Contains(page, `name="reg_number"`) {
				t.Errorf("form in French lacks its words")
			}
			// Bad input: the form again, the message next to the field in
			// the page's language, what was typed kept.
			form := url.Values{"type": {"employer"}, "name": {"Sunrise Bricks"}, "country": {"XX"},
				"reg_scheme": {"tax_id", "vat"}, "reg_number": {"PAN-301", ""}, "trade_names": {"Sunrise Kilns\nSK"}}
			res, page = b.do("POST", caseURL+"/organisations", form)
			wantStatus(t, "bad country", res, page, 400)
			if !strings.Contains(page, "Donnez le code ISO") || !strings.Contains(page, `value="Sunrise Bricks"`) {
				t.Errorf("refused form: %.2000s", page)
			}
			form.Set("country", "np")
			res, page = b.do("POST", caseURL+"/organisations", form)
			wantStatus(t, "add organisation", res, page, 303)
			orgs, err := f.cfg.Organisations.Organisations(f.actorCtx(), f.ownCase.ID)
			if err != nil || len(orgs) != 1 || len(orgs[0].TradeNames) != 2 || len(orgs[0].Registrations) != 1 {
				t.Fatalf("stored %+v, %v", orgs, err)
			}
			o := orgs[0]

			res, page = b.do("GET", caseURL+"/worksites/new", nil)
			wantStatus(t, "new worksite form", res, page, 200)
			if !strings.Contains(page, `<optgroup label="C — `) || !strings.Contains(page, `value="C/23"`) || !strings.Contains(page, o.ID) {
				t.Errorf("worksite form lacks the sector groups or the operator")
			}
			res, page = b.do("POST", caseURL+"/worksites", url.Values{"name": {"Kiln 3"}, "sector": {"C/23"},
				"organisation_id": {o.ID}, "latitude": {"27,671"}, "longitude": {"85.4298"}, "city": {"Bhaktapur"}})
			wantStatus(t, "add worksite", res, page, 303)
			res, page = b.do("POST", caseURL+"/worksites", url.Values{"name": {"Boat"}, "latitude": {"27"}})
			wantStatus(t, "latitude alone", res, page, 400)
			if !strings.Contains(page, `class="field-error"`) {
				t.Error("no field error shown")
			}

			res, page = b.do("GET", caseURL, nil)
			wantStatus(t, "case page", res, page, 200)
			// The language chosen above (French) is remembered.
			for _, want := range []string{"Sunrise Bricks", "Kiln 3", "Activités de fabrication", "27.671, 85.4298", "PAN-301"} {
				if !strings.Contains(page, want) {
					t.Errorf("case page lacks %q", want)
				}
			}

			// Two editors open the form at version 1; the second save gets
			// the conflict page with both values, and nothing is lost.
			res, page = b.do("GET", "/organisations/"+o.ID+"/edit", nil)
			wantStatus(t, "edit form", res, page, 200)
			if !strings.Contains(page, `name="version" value="1"`) {
				t.Fatal("edit form lacks the hidden version")
			}
			edit := url.Values{"version": {"1"}, "type": {"employer"}, "name": {"Sunrise Bricks Pvt"}, "country": {"NP"},
				"trade_names": {"Sunrise Kilns"}, "reg_scheme": {"tax_id"}, "reg_number": {"PAN-301"}}
			res, page = b.do("POST", "/organisations/"+o.ID+"/edit", edit)
			wantStatus(t, "first save", res, page, 303)
			edit.Set("name", "Sunrise Holdings")
			res, page = b.do("POST", "/organisations/"+o.ID+"/edit", edit)
			wantStatus(t, "stale save", res, page, 409)
			if !strings.Contains(page, "Sunrise Holdings") || !strings.Contains(page, "Sunrise Bricks Pvt") || !strings.Contains(page, `class="differs"`) {
				t.Errorf("conflict page: %.3000s", page)
			}

			sites, _ := f.cfg.Worksites.Worksites(f.actorCtx(), f.ownCase.ID)
			if len(sites) != 1 || sites[0].ISICSection != "C" || sites[0].Latitude == nil || *sites[0].Latitude != 27.671 {
				t.Fatalf("worksite stored %+v", sites)
			}
			ws := sites[0]
			res, page = b.do("GET", "/worksites/"+ws.ID+"/edit", nil)
			wantStatus(t, "worksite edit form", res, page, 200)
			if !strings.Contains(page, `value="C/23" selected`) || !strings.Contains(page, `value="27.671"`) {
				t.Errorf("worksite edit form does not show the stored values")
			}
			wedit := url.Values{"version": {"1"}, "name": {"Kiln 3"}, "sector": {"F"}, "organisation_id": {""}}
			res, page = b.do("POST", "/worksites/"+ws.ID+"/edit", wedit)
			wantStatus(t, "worksite save", res, page, 303)
			res, page = b.do("POST", "/worksites/"+ws.ID+"/edit", wedit)
			wantStatus(t, "stale worksite save", res, page, 409)

			police := f.signedIn(t, &flare.Agency{ID: f.otherCase.AgencyID}, flare.RoleInvestigator)
			res, page = police.do("GET", "/organisations/"+o.ID+"/edit", nil)
			wantStatus(t, "foreign edit form", res, page, 404)
			res, page = police.do("POST", caseURL+"/organisations", form)
			wantStatus(t, "foreign add", res, page, 404)
		})
	}
}

// actorCtx is the console's context, to look at what the pages stored.
func (f *staffFixture) actorCtx() context.Context {
	return flare.WithActor(context.Background(), flare.Actor{Console: true})
}

// TestPartiesDeletePages: only a supervisor is offered the delete button
// and may use it; an organisation operating a worksite is kept (409).
func TestPartiesDeletePages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			ctx := f.actorCtx()
			o := &flare.Organisation{CaseID: f.ownCase.ID, Type: flare.OrgEmployer, Name: "Deleted Co"}
			if err := f.cfg.Organisations.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
			ws := &flare.Worksite{CaseID: f.ownCase.ID, Name: "Deleted site", OrganisationID: o.ID}
			if err := f.cfg.Worksites.CreateWorksite(ctx, ws); err != nil {
				t.Fatal(err)
			}
			inspector := f.signedIn(t, f.agency, flare.RoleInspector)
			res, page := inspector.do("GET", "/organisations/"+o.ID+"/edit", nil)
			wantStatus(t, "inspector edit page", res, page, 200)
			if strings.Contains(page, "/delete") {
				t.Error("an inspector is offered the delete button")
			}
			res, page = inspector.do("POST", "/worksites/"+ws.ID+"/delete", url.Values{"version": {"1"}})
			wantStatus(t, "inspector delete", res, page, 403)

			sup := f.signedIn(t, f.agency, flare.RoleSupervisor)
			res, page = sup.do("GET", "/organisations/"+o.ID+"/edit", nil)
			if res.StatusCode != 200 || !strings.Contains(page, `action="/organisations/`+o.ID+`/delete"`) {
				t.Fatalf("supervisor edit page = %d, delete button shown %v", res.StatusCode, strings.Contains(page, "/delete"))
			}
			res, page = sup.do("POST", "/organisations/"+o.ID+"/delete", url.Values{"version": {"1"}})
			wantStatus(t, "delete an operator", res, page, 409)
			res, page = sup.do("POST", "/worksites/"+ws.ID+"/delete", url.Values{"version": {"1"}})
			wantStatus(t, "delete the worksite", res, page, 303)
			res, page = sup.do("POST", "/organisations/"+o.ID+"/delete", url.Values{"version": {"1"}})
			wantStatus(t, "delete the organisation", res, page, 303)
			if res.Header.Get("Location") != "/cases/"+f.ownCase.ID+"#parties" {
				t.Errorf("redirect to %q", res.Header.Get("Location"))
			}
			if list, _ := f.cfg.Organisations.Organisations(ctx, f.ownCase.ID); len(list) != 0 {
				t.Errorf("organisations left: %v", list)
			}
		})
	}
}
