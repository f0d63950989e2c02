package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// personForm is the add form as a browser sends it, with identity.
func personForm() url.Values {
	return url.Values{"role": {"presumed_victim"}, "first_name": {"Sunita"}, "middle_name": {""}, "second_name": {"Tamang"},
		"birthdate": {"1999-02-03"}, "email": {""}, "mobile_phone": {"+977 980 1234567"}, "street": {""}, "city": {"Pokhara"},
		"state": {""}, "postal_code": {""}, "country": {"NP"}, "doc_type": {"passport"}, "doc_number": {"PA7654321"},
		"doc_country": {"NP"}, "doc_expires": {""}, "gender": {"feminine"}, "age_years": {""}, "citizenship": {"NP"},
		"primary_language": {"ne"}, "secondary_language": {""}, "suspected_on": {"2026-11-01"}, "suspected_by": {"ngo"},
		"presumed_on": {""}, "presumed_by": {""}, "identified_on": {""}, "identified_by": {""}}
}

// TestPersonPages walks the people pages without JavaScript: add a person
// from the case page, see them, edit with the hidden version (a stale save
// shows the conflict page, R-CC1), field groups on the pages (R-AZ2) and the
// reason police must give to see a victim's identity.
func TestPersonPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			cw := f.signedIn(t, f.agency, flare.RoleCaseworker)
			res, page := cw.do("GET", "/cases/"+f.ownCase.ID, nil)
			if res.StatusCode != 200 || !strings.Contains(page, `href="/cases/`+f.ownCase.ID+`/persons/new"`) {
				t.Fatalf("case page = %d: %.400s", res.StatusCode, page)
			}
			res, page = cw.do("GET", "/cases/"+f.ownCase.ID+"/persons/new", nil)
			if res.StatusCode != 200 || !strings.Contains(page, `name="first_name"`) || !strings.Contains(page, `<label for="first_name">`) {
				t.Fatalf("new person form = %d", res.StatusCode)
			}
			bad := personForm()
			bad.Set("citizenship", "Nepal")
			res, page = cw.do("POST", "/cases/"+f.ownCase.ID+"/persons", bad)
			if res.StatusCode != 400 || !strings.Contains(page, "field-error") || !strings.Contains(page, `value="Sunita"`) {
				t.Fatalf("bad citizenship = %d: %.600s", res.StatusCode, page)
			}
			res, _ = cw.do("POST", "/cases/"+f.ownCase.ID+"/persons", personForm())
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/persons/") {
				t.Fatalf("add person = %d %s", res.StatusCode, loc)
			}
			res, page = cw.do("GET", loc, nil)
			if res.StatusCode != 200 || !strings.Contains(page, "Sunita Tamang") || !strings.Contains(page, "PA7654321") {
				t.Fatalf("person page = %d: %.600s", res.StatusCode, page)
			}
			if _, page = cw.do("GET", "/cases/"+f.ownCase.ID, nil); !strings.Contains(page, "Sunita Tamang") {
				t.Errorf("case page does not list the person")
			}

			// Two editors open version 1; the second save is a conflict.
			_, form1 := cw.do("GET", loc+"/edit", nil)
			if !strings.Contains(form1, `name="version" value="1"`) {
				t.Fatalf("edit form has no version: %.400s", form1)
			}
			edit := personForm()
			edit.Set("version", "1")
			edit.Set("city", "Kathmandu")
			if res, _ := cw.do("POST", loc+"/edit", edit); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first save = %d", res.StatusCode)
			}
			edit.Set("city", "Biratnagar")
			res, page = cw.do("POST", loc+"/edit", edit)
			if res.StatusCode != http.StatusConflict || !strings.Contains(page, "Kathmandu") || !strings.Contains(page, "Biratnagar") {
				t.Fatalf("stale save = %d: %.800s", res.StatusCode, page)
			}

			// Intake sees no identity on the pages, and its form has none.
			intake := f.signedIn(t, f.agency, flare.RoleIntake)
			_, page = intake.do("GET", loc, nil)
			if strings.Contains(page, "Sunita") || strings.Contains(page, "PA7654321") {
				t.Errorf("intake's person page shows identity")
			}
			_, page = intake.do("GET", "/cases/"+f.ownCase.ID, nil)
			if strings.Contains(page, "Sunita") {
				t.Errorf("intake's case page shows the name")
			}
			_, page = intake.do("GET", loc+"/edit", nil)
			if strings.Contains(page, `name="first_name"`) {
				t.Errorf("intake's edit form has identity fields")
			}

			// Police are asked why before seeing a victim's identity.
			police := f.signedIn(t, f.agency, flare.RoleInvestigator)
			_, page = police.do("GET", loc, nil)
			if strings.Contains(page, "Sunita") || !strings.Contains(page, `name="justification"`) {
				t.Errorf("investigator's page without reason: %.600s", page)
			}
			_, page = police.do("GET", loc+"?justification="+url.QueryEscape("Raid planning, file 88"), nil)
			if !strings.Contains(page, "Sunita") {
				t.Errorf("investigator's page with a reason shows no name")
			}
		})
	}
}
