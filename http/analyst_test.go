package http

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestAnalystSeesNoPersonalData crawls every page and API route of
// routes.go as an analyst of the agency that owns a case with a named
// victim, a screening and a wage claim: no answer holds a personal field
// name or the victim's marker values (security checklist R-DP5), on both
// databases.
func TestAnalystSeesNoPersonalData(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			worker, employer := claimFixture(t, f)
			upd := flare.PersonUpdate{Version: 1, SecondName: ptr("Qzxmarker"), MiddleName: ptr("Vbnmarker")}
			if _, err := f.cfg.Persons.UpdatePerson(console, worker.ID, upd); err != nil {
				t.Fatal(err)
			}
			a := &flare.Assessment{PersonID: worker.ID, Input: storetest.MetScreening("Jklmarker")}
			if err := f.cfg.Assessments.Screen(console, a); err != nil {
				t.Fatal(err)
			}
			c := &flare.WageClaim{PersonID: worker.ID, Document: []byte(storetest.ClaimDocument("Uiomarker")),
				Offenders: []flare.ClaimOffender{{Type: "organisation", ID: employer.ID}}}
			if err := f.cfg.Claims.CreateClaim(console, c); err != nil {
				t.Fatal(err)
			}
			ids := map[string]string{"persons": worker.ID, "assessments": a.ID, "claims": c.ID, "organisations": employer.ID}
			analyst := f.signedIn(t, f.agency, flare.RoleAnalyst)
			src, err := os.ReadFile("routes.go")
			if err != nil {
				t.Fatal(err)
			}
			deny := []string{"Wanjiru", "Qzxmarker", "Vbnmarker", "Jklmarker", "Uiomarker", `"first_name"`, `"second_name"`,
				`"birthdate"`, `"identity_documents"`, `"contact"`, `"interpreter"`}
			param := regexp.MustCompile(`\{[^}]+\}`)
			walked := 0
			for _, m := range regexp.MustCompile(`HandleFunc\("GET ([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
				route := m[1]
				if route == "/api/v1/openapi.json" {
					continue // the API's description names fields; it holds no data
				}
				id := f.ownCase.ID
				for prefix, v := range ids {
					if strings.Contains(route, "/"+prefix+"/") {
						id = v
					}
				}
				path := param.ReplaceAllString(route, id)
				if path == "/{$}" {
					path = "/"
				}
				_, body := analyst.do("GET", path, nil)
				for _, d := range deny {
					if strings.Contains(body, d) {
						t.Errorf("GET %s as an analyst holds %s", path, d)
					}
				}
				walked++
			}
			if walked < 50 {
				t.Fatalf("only %d routes walked", walked)
			}
			// The control: a caseworker of the agency does see the values,
			// so the crawl looked where they are.
			cw := f.signedIn(t, f.agency, flare.RoleCaseworker)
			for path, marker := range map[string]string{"/persons/" + worker.ID: "Qzxmarker", "/api/v1/assessments/" + a.ID: "Jklmarker"} {
				if _, body := cw.do("GET", path, nil); !strings.Contains(body, marker) {
					t.Fatalf("control: %s does not show %s to a caseworker", path, marker)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
