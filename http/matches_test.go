package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
)

// TestMatchPages proposes a record of the same person in another case of
// the agency on the person's page, confirms it, and shows that another
// agency's namesake is never shown; on both databases (issue #9).
func TestMatchPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			born := time.Date(1990, 3, 4, 0, 0, 0, 0, time.UTC)
			second := &flare.Case{AgencyID: f.agency.ID, Reference: "LI-2", Title: "Fishing boat", Status: flare.CaseOpen, OpenedOn: born}
			if err := f.cfg.Cases.CreateCase(console, second); err != nil {
				t.Fatal(err)
			}
			mk := func(caseID, first string) *flare.Person {
				p := &flare.Person{CaseID: caseID, Role: flare.RolePresumedVictim,
					PersonIdentity: &flare.PersonIdentity{FirstName: first, SecondName: "Mensah", Birthdate: &born}}
				if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
					t.Fatal(err)
				}
				return p
			}
			ama, again := mk(f.ownCase.ID, "Ama"), mk(second.ID, "Amma")
			foreign := mk(f.otherCase.ID, "Ama")
			a := f.signedIn(t, f.agency, flare.RoleCaseworker)
			if _, body := a.do("GET", "/persons/"+ama.ID, nil); !strings.Contains(body, "/persons/"+ama.ID+"/matches") {
				t.Fatal("the person's page has no link to possible matches")
			}
			res, body := a.do("GET", "/persons/"+ama.ID+"/matches", nil)
			if res.StatusCode != 200 || !strings.Contains(body, `href="/persons/`+again.ID+`"`) || strings.Contains(body, foreign.ID) {
				t.Fatalf("matches page = %d", res.StatusCode)
			}
			res, _ = a.do("POST", "/persons/"+ama.ID+"/matches/"+again.ID, url.Values{"decision": {"confirmed"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("confirm = %d", res.StatusCode)
			}
			_, body = a.do("GET", "/api/v1/persons/"+ama.ID+"/matches", nil)
			if !strings.Contains(body, `"decision":"confirmed"`) || strings.Contains(body, foreign.ID) {
				t.Fatalf("API after confirming: %s", body)
			}
			if res, body := a.json("POST", "/api/v1/persons/"+ama.ID+"/matches/"+again.ID, `{"decision":"perhaps"}`); res.StatusCode != 400 || !strings.Contains(body, `"decision"`) {
				t.Fatalf("bad decision = %d %s", res.StatusCode, body)
			}
			if res, _ := a.json("POST", "/api/v1/persons/"+ama.ID+"/matches/"+foreign.ID, `{"decision":"confirmed"}`); res.StatusCode != 404 {
				t.Fatalf("linking to another agency's person = %d", res.StatusCode)
			}
		})
	}
}

// TestOrganisationMatchPages proposes the same employer under its trade
// name from the case page's parties, and confirms it (issue #9).
func TestOrganisationMatchPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			second := &flare.Case{AgencyID: f.agency.ID, Reference: "LI-3", Title: "Flower farm", Status: flare.CaseOpen, OpenedOn: time.Now()}
			if err := f.cfg.Cases.CreateCase(console, second); err != nil {
				t.Fatal(err)
			}
			mk := func(caseID, name string) *flare.Organisation {
				o := &flare.Organisation{CaseID: caseID, Type: flare.OrgEmployer, Name: name, Country: "KE"}
				if err := f.cfg.Organisations.CreateOrganisation(console, o); err != nil {
					t.Fatal(err)
				}
				return o
			}
			a, b := mk(f.ownCase.ID, "Kessel Garments Ltd"), mk(second.ID, "Garments Kessel Limited")
			u := f.signedIn(t, f.agency, flare.RoleInspector)
			if _, body := u.do("GET", "/cases/"+f.ownCase.ID, nil); !strings.Contains(body, "/organisations/"+a.ID+"/matches") {
				t.Fatal("the case page has no link to the organisation's matches")
			}
			res, body := u.do("GET", "/organisations/"+a.ID+"/matches", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "Garments Kessel Limited") {
				t.Fatalf("matches page = %d", res.StatusCode)
			}
			res, _ = u.do("POST", "/organisations/"+a.ID+"/matches/"+b.ID, url.Values{"decision": {"confirmed"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("confirm = %d", res.StatusCode)
			}
			if _, body := u.do("GET", "/api/v1/organisations/"+a.ID+"/matches", nil); !strings.Contains(body, `"decision":"confirmed"`) {
				t.Fatalf("API after confirming: %s", body)
			}
		})
	}
}
