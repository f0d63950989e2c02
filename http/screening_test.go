package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/screening"
)

// questionNumber is the form number of the sign question with key suffix.
func questionNumber(t *testing.T, suffix string) string {
	t.Helper()
	rules, _ := screening.Rules(screening.LatestVersion)
	for n, q := range rules.Questions() {
		if q.Key == "screening.question."+suffix {
			return strconv.Itoa(n)
		}
	}
	t.Fatalf("no question %s", suffix)
	return ""
}

// TestScreeningInterview walks the interview of issue #7 through the pages
// on both databases: the questions are asked in plain words, a refused
// answer comes back with every answer kept and the question named, a met
// result is stored with its explanation, and the person is then recorded
// as a presumed victim by the user's agency.
func TestScreeningInterview(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			p := &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim,
				PersonIdentity: &flare.PersonIdentity{FirstName: "Ama", SecondName: "Mensah"}}
			if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
				t.Fatal(err)
			}
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			res, body := a.do("GET", "/persons/"+p.ID+"/screening", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "passport") || !strings.Contains(body, "Ama Mensah") || !strings.Contains(body, `name="q`+questionNumber(t, "documents_kept")+`_mode"`) {
				t.Fatalf("interview page = %d", res.StatusCode)
			}
			job, docs := questionNumber(t, "job_different_from_promised"), questionNumber(t, "documents_kept")
			form := url.Values{"age": {"31"}, "interpreter": {"Twi, Ms Boateng"},
				"q" + job: {"1"}, "q" + job + "_episode": {"farm"}, "q" + job + "_on": {"2026-10-01"},
				"q" + job + "_perpetrator": {"recruiter"}, "q" + job + "_stage": {"recruitment"}, "q" + job + "_evidence": {"statement"},
				"q" + docs: {"1"}, "q" + docs + "_episode": {"farm"}, "q" + docs + "_on": {"someday"},
				"q" + docs + "_perpetrator": {"employer"}, "q" + docs + "_stage": {"employment"}, "q" + docs + "_mode": {"experienced"},
				"q" + docs + "_evidence": {"observation"}}
			res, body = a.do("POST", "/persons/"+p.ID+"/screening", form)
			if res.StatusCode != 400 || !strings.Contains(body, "observations[1].on") || !strings.Contains(body, `value="Twi, Ms Boateng"`) {
				t.Fatalf("bad date = %d, want the form back naming the answer", res.StatusCode)
			}
			form.Set("q"+docs+"_on", "2026-10-03")
			res, _ = a.do("POST", "/persons/"+p.ID+"/screening", form)
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/assessments/") {
				t.Fatalf("screen = %d %q", res.StatusCode, loc)
			}
			res, body = a.do("GET", loc, nil)
			if res.StatusCode != 200 || !strings.Contains(body, "verdict-met") || !strings.Contains(body, "ICLS-2018") ||
				!strings.Contains(body, "/presume") {
				t.Fatalf("result page = %d", res.StatusCode)
			}
			if _, body := a.do("GET", "/persons/"+p.ID, nil); !strings.Contains(body, `href="`+loc+`"`) || !strings.Contains(body, "/screening") {
				t.Fatal("the person's page does not list the screening")
			}
			_, body = a.do("GET", "/api/v1/persons/"+p.ID, nil)
			version := jsonField(t, body, "version")
			res, _ = a.do("POST", loc+"/presume", url.Values{"person_version": {version}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("presume = %d", res.StatusCode)
			}
			got, err := f.cfg.Persons.Person(console, p.ID)
			if err != nil || got.VictimStatus == nil || got.VictimStatus.Presumed == nil ||
				got.VictimStatus.Presumed.AgencyID != f.agency.ID || got.VictimStatus.Presumed.DecidedBy != flare.DecidedByOtherGovernment {
				t.Fatalf("person after presume = %+v, %v", got.VictimStatus, err)
			}
			// The stale version is refused and changes nothing.
			if res, _ := a.do("POST", loc+"/presume", url.Values{"person_version": {version}}); res.StatusCode != http.StatusConflict {
				t.Fatalf("second presume = %d", res.StatusCode)
			}
			// Another agency does not know the assessment exists.
			police := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			if res, _ := police.do("GET", loc, nil); res.StatusCode != 404 {
				t.Fatalf("police read = %d", res.StatusCode)
			}
		})
	}
}

// TestScreeningAPI screens through the JSON API with the input document of
// `flare screen`; bad input names the field under "input".
func TestScreeningAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			p := &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim}
			if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
				t.Fatal(err)
			}
			a := f.signedIn(t, f.agency, flare.RoleCaseworker)
			path := "/api/v1/persons/" + p.ID + "/assessments"
			doc := `{"interpreter":"none","input":{"age":16,"observations":[
				{"episode":"boat","on":"2026-09-01","indicator":"isolation","perpetrator":"employer","stage":"employment","mode":"experienced"}]}}`
			res, body := a.json("POST", path, doc)
			if res.StatusCode != 201 || !strings.Contains(body, `"result":"met"`) || !strings.Contains(body, `"child":true`) {
				t.Fatalf("screen = %d %s", res.StatusCode, body)
			}
			for _, tt := range []struct{ body, field string }{
				{`{"input":{"observations":[{"episode":"x","on":"2026-09-01","indicator":"isolation","perpetrator":"boss","stage":"employment","mode":"experienced"}]}}`, "input.observations[0].perpetrator"},
				{`{"input":{"age":"old"}}`, "input.age"},
				{`{"rule":"ICLS-1999","input":{}}`, "rule"},
				{`{}`, "input"},
			} {
				res, body := a.json("POST", path, tt.body)
				if res.StatusCode != 400 || !strings.Contains(body, `"`+tt.field+`"`) {
					t.Errorf("%s = %d %s, want 400 naming %s", tt.body, res.StatusCode, body, tt.field)
				}
			}
			_, body = a.do("GET", path, nil)
			if strings.Count(body, `"assessed_at"`) != 1 {
				t.Fatalf("history = %s", body)
			}
		})
	}
}

// jsonField extracts a top-level number or string field from a JSON body.
func jsonField(t *testing.T, body, name string) string {
	t.Helper()
	i := strings.Index(body, `"`+name+`":`)
	if i < 0 {
		t.Fatalf("no %s in %s", name, body)
	}
	rest := strings.TrimLeft(body[i+len(name)+3:], `"`)
	end := strings.IndexAny(rest, `",}`)
	return rest[:end]
}
