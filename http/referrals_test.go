package http

import (
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestReferralAPI: the inspectorate refers its case to the police through
// the API; the police list it, accept it once and then read the case
// (issue #6), on both databases.
func TestReferralAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			insp := f.signedIn(t, f.agency, flare.RoleInspector)
			police := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
			policeID := f.otherCase.AgencyID
			body := `{"to_agency_id":"` + policeID + `","purpose":"Investigate the recruiter","urgent":true,"due_on":"2026-12-04",
				"sharing":{"legal_basis":"law","reference":"Anti-Trafficking Act, art. 12"}}`
			res, out := insp.json("POST", "/api/v1/cases/"+f.ownCase.ID+"/referrals", body)
			if res.StatusCode != 201 {
				t.Fatalf("send = %d %s", res.StatusCode, out)
			}
			id := jsonField(t, out, "id")
			if res, _ := police.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil); res.StatusCode != 404 {
				t.Fatalf("police before accepting = %d", res.StatusCode)
			}
			if _, out := police.do("GET", "/api/v1/referrals", nil); !strings.Contains(out, id) {
				t.Fatalf("police list: %s", out)
			}
			if res, out := police.json("POST", "/api/v1/referrals/"+id+"/accept", `{}`); res.StatusCode != 200 || !strings.Contains(out, `"status":"accepted"`) {
				t.Fatalf("accept = %d %s", res.StatusCode, out)
			}
			if res, _ := police.json("POST", "/api/v1/referrals/"+id+"/accept", `{}`); res.StatusCode != 409 {
				t.Fatalf("second accept = %d", res.StatusCode)
			}
			if res, _ := police.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil); res.StatusCode != 200 {
				t.Fatalf("police after accepting = %d", res.StatusCode)
			}
			for _, bad := range []struct{ body, field string }{
				{`{"to_agency_id":"` + policeID + `","purpose":"x","due_on":"soon","sharing":{"legal_basis":"law","reference":"Act"}}`, "due_on"},
				{`{"to_agency_id":"` + policeID + `","purpose":"x","due_on":"2026-12-04","sharing":{"legal_basis":"consent","reference":"oral"}}`, "consent_given_on"},
				{`{"to_agency_id":"` + policeID + `","due_on":"2026-12-04","sharing":{"legal_basis":"law","reference":"Act"}}`, "purpose"},
			} {
				if res, out := insp.json("POST", "/api/v1/cases/"+f.ownCase.ID+"/referrals", bad.body); res.StatusCode != 400 || !strings.Contains(out, bad.field) {
					t.Errorf("%s = %d %s", bad.field, res.StatusCode, out)
				}
			}
		})
	}
}
