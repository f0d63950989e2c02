package http

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestCaseFormsAndConflict opens a case through the page, edits it, and
// shows that a second editor working from the old version gets the conflict
// page with both values and changes nothing (security checklist R-CC1).
func TestCaseFormsAndConflict(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			if res, body := a.do("GET", "/cases/new", nil); res.StatusCode != 200 || !strings.Contains(body, `name="reference"`) {
				t.Fatalf("new case form = %d", res.StatusCode)
			}
			form := url.Values{"reference": {"LI/2026/30"}, "title": {"Tea estate"}, "region": {"Highlands"},
				"opened_on": {"2026-11-02"}, "assign_to_me": {"1"}}
			res, _ := a.do("POST", "/cases", form)
			loc := res.Header.Get("Location")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/cases/") {
				t.Fatalf("create = %d %q", res.StatusCode, loc)
			}
			res, body := a.do("GET", loc, nil)
			if res.StatusCode != 200 || !strings.Contains(body, "Highlands") || !strings.Contains(body, "Tea estate") {
				t.Fatalf("case page = %d", res.StatusCode)
			}
			// The same reference again: the form comes back with the reason.
			res, body = a.do("POST", "/cases", form)
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already used") || !strings.Contains(body, `value="Tea estate"`) {
				t.Fatalf("duplicate = %d", res.StatusCode)
			}
			form.Set("reference", "-bad")
			if res, body = a.do("POST", "/cases", form); res.StatusCode != 400 || !strings.Contains(body, `aria-invalid="true"`) {
				t.Fatalf("bad reference = %d", res.StatusCode)
			}

			// Two editors open version 1; the first save wins.
			b := f.signedIn(t, f.agency, flare.RoleCaseworker)
			edit := func(who *browser, title string) (*http.Response, string) {
				return who.do("POST", loc+"/edit", url.Values{"version": {"1"}, "title": {title}, "region": {"Highlands"}})
			}
			if res, _ := edit(a, "Tea estate, north slope"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("first save = %d", res.StatusCode)
			}
			res, body = edit(b, "Tea estate and factory")
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Tea estate and factory") || !strings.Contains(body, "Tea estate, north slope") {
				t.Fatalf("stale save = %d, want the conflict page with both titles", res.StatusCode)
			}
			_, body = a.do("GET", "/api/v1"+loc, nil)
			if !strings.Contains(body, `"title":"Tea estate, north slope"`) || !strings.Contains(body, `"version":2`) {
				t.Fatalf("after the stale save: %s", body)
			}
			// No version: refused, nothing saved.
			if res, _ := a.do("POST", loc+"/edit", url.Values{"title": {"x"}}); res.StatusCode != 400 {
				t.Fatalf("save without version = %d", res.StatusCode)
			}
		})
	}
}

// TestCaseListFilters filters the list through the API and the page; a bad
// filter is a 400 naming it, on the page shown above an empty list.
func TestCaseListFilters(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			for _, tt := range []struct {
				query  string
				status int
				want   string // a reference the answer holds, or the field an error names
			}{
				{"?q=garment", 200, `"reference":"LI-1"`},
				{"?q=GARMENTS", 200, `"cases":[]`},
				{"?q=gar", 200, `"reference":"LI-1"`},
				{"?q=police", 200, `"cases":[]`},
				{"?status=open&q=workshop", 200, `"reference":"LI-1"`},
				{"?mine=1", 200, `"cases":[]`},
				{"?sector=Z", 400, `"sector"`},
				{"?limit=ten", 400, `"limit"`},
				{"?status=lost", 400, `"status"`},
			} {
				res, body := a.do("GET", "/api/v1/cases"+tt.query, nil)
				if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
					t.Errorf("GET /api/v1/cases%s = %d %s, want %d with %s", tt.query, res.StatusCode, body, tt.status, tt.want)
				}
			}
			res, body := a.do("GET", "/cases?q=garment", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "LI-1") || !strings.Contains(body, `value="garment"`) {
				t.Fatalf("filtered page = %d", res.StatusCode)
			}
			res, body = a.do("GET", "/cases?sector=Z", nil)
			if res.StatusCode != 400 || !strings.Contains(body, `role="alert"`) || strings.Contains(body, "LI-1") {
				t.Fatalf("bad filter page = %d", res.StatusCode)
			}
		})
	}
}

// TestCaseTransitionsThroughAPI: an illegal move is 409 and names status;
// closing without a reason is 400.
func TestCaseTransitionsThroughAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			path := "/api/v1/cases/" + f.ownCase.ID
			if res, body := a.jsonIfMatch("PATCH", path, `{"status":"proceedings"}`, `"v1"`); res.StatusCode != 409 || !strings.Contains(body, `"status"`) {
				t.Fatalf("open -> proceedings = %d %s", res.StatusCode, body)
			}
			if res, body := a.jsonIfMatch("PATCH", path, `{"status":"closed"}`, `"v1"`); res.StatusCode != 400 || !strings.Contains(body, `"closure_reason"`) {
				t.Fatalf("close without reason = %d %s", res.StatusCode, body)
			}
			res, body := a.jsonIfMatch("PATCH", path, `{"status":"closed","closure_reason":"duplicate"}`, `"v1"`)
			if res.StatusCode != 200 || !strings.Contains(body, `"closed_on":"2026-11-27T00:00:00Z"`) {
				t.Fatalf("close = %d %s", res.StatusCode, body)
			}
		})
	}
}
