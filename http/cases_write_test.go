package http

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// TestCreateCaseThroughAPI: a case-working role opens a case in its own
// agency (201, stored once with one audit entry); the policy refuses
// admins and other agencies' names (403, nothing stored, the refusal
// audited); bad input is a 400 naming the field; a used reference is 409.
func TestCreateCaseThroughAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			ctx := context.Background()
			other := f.otherCase.AgencyID
			worker := f.signedIn(t, f.agency, flare.RoleCaseworker)
			admin := f.signedIn(t, f.agency, flare.RoleAdmin)
			anonymous := f.browser(t)
			creates := func(outcome audit.Outcome) int {
				t.Helper()
				entries, err := f.db.AuditEntries(ctx, sqlstore.AuditFilter{RecordType: "case", Action: audit.ActionCreate})
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
			tests := []struct {
				name      string
				who       *browser
				body      string
				status    int
				wantField string
			}{
				{"caseworker, defaults", worker, `{"reference":"LI/2026/7","title":"Brick kiln"}`, 201, ""},
				{"caseworker, all fields", worker, `{"agency_id":"` + f.agency.ID + `","reference":"LI/2026/8","title":"Fishing boat","status":"closed","opened_on":"2026-11-01","closed_on":"2026-11-20","closure_reason":"resolved","region":"North"}`, 201, ""},
				{"reference used", worker, `{"reference":"LI/2026/7","title":"Again"}`, 409, "reference"},
				{"no title", worker, `{"reference":"LI/2026/9"}`, 400, "title"},
				{"bad reference", worker, `{"reference":"-x","title":"T"}`, 400, "reference"},
				{"bad status", worker, `{"reference":"LI/2026/9","title":"T","status":"lost"}`, 400, "status"},
				{"bad date", worker, `{"reference":"LI/2026/9","title":"T","opened_on":"27/11/2026"}`, 400, "opened_on"},
				{"closed without date", worker, `{"reference":"LI/2026/9","title":"T","status":"closed","closure_reason":"resolved"}`, 400, "closed_on"},
				{"closed without reason", worker, `{"reference":"LI/2026/9","title":"T","status":"closed","opened_on":"2026-11-01","closed_on":"2026-11-20"}`, 400, "closure_reason"},
				{"assigned to a stranger", worker, `{"reference":"LI/2026/9","title":"T","assigned_to":"` + other + `"}`, 400, "assigned_to"},
				{"unknown field", worker, `{"reference":"LI/2026/9","title":"T","owner":"me"}`, 400, "owner"},
				{"another agency's name", worker, `{"agency_id":"` + other + `","reference":"LI/2026/9","title":"T"}`, 403, ""},
				{"admin sees no cases", admin, `{"reference":"LI/2026/9","title":"T"}`, 403, ""},
				{"no session", anonymous, `{"reference":"LI/2026/9","title":"T"}`, 401, ""},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					okBefore, deniedBefore := creates(audit.OutcomeOK), creates(audit.OutcomeDenied)
					res, body := tt.who.json("POST", "/api/v1/cases", tt.body)
					if res.StatusCode != tt.status {
						t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
					}
					okAfter, deniedAfter := creates(audit.OutcomeOK), creates(audit.OutcomeDenied)
					if tt.status != 201 {
						if okAfter != okBefore {
							t.Errorf("a refused create left %d audit entries", okAfter-okBefore)
						}
						if tt.status == 403 && deniedAfter != deniedBefore+1 {
							t.Errorf("the refusal was not audited")
						}
						if tt.wantField != "" {
							var e ErrorResponse
							if json.Unmarshal([]byte(body), &e) != nil || e.Error.Fields[tt.wantField] == "" {
								t.Errorf("error does not name %q: %s", tt.wantField, body)
							}
						}
						return
					}
					var c flare.Case
					if err := json.Unmarshal([]byte(body), &c); err != nil {
						t.Fatal(err)
					}
					if c.ID == "" || c.Version != 1 || c.AgencyID != f.agency.ID || res.Header.Get("ETag") != `"v1"` ||
						res.Header.Get("Location") != "/api/v1/cases/"+c.ID {
						t.Fatalf("created %+v, ETag %q, Location %q", c, res.Header.Get("ETag"), res.Header.Get("Location"))
					}
					if okAfter != okBefore+1 {
						t.Errorf("%d create audit entries for one case", okAfter-okBefore)
					}
					res, body = worker.json("GET", "/api/v1/cases/"+c.ID, "")
					if res.StatusCode != 200 || !strings.Contains(body, c.Reference) {
						t.Fatalf("read back = %d %s", res.StatusCode, body)
					}
				})
			}
		})
	}
}
