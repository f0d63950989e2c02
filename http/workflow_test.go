package http

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// TestThreeAgencyWorkflow follows one case from a worker's report to its
// closing across three agencies, through the real pages and JSON API, on
// both databases (issue #6): the labour inspectorate opens the case from
// the report, inspects the worksite and refers the case to the police on
// a provision of law and the victim to victim services on her consent;
// victim services give her shelter and a recovery period; the police
// prosecute the employer to a conviction; the inspectorate closes the
// case. Along the way each agency sees only what was shared with it, the
// victim's withdrawal of consent cuts victim services off at once, and
// every step leaves its audit entry.
func TestThreeAgencyWorkflow(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testThreeAgencyWorkflow(t, backend) })
	}
}

func testThreeAgencyWorkflow(t *testing.T, backend string) {
	f := newPortalFixture(t, backend)
	services := &flare.Agency{Name: "Victim Services", Kind: flare.AgencyVictimServices}
	if err := sqlstore.NewAgencyService(f.db).CreateAgency(t.Context(), services); err != nil {
		t.Fatal(err)
	}
	police := f.otherAgency(t)
	// step checks one call's status and returns its body:
	// step("what", 201)(b.json(...)).
	step := func(what string, status int) func(*http.Response, string) string {
		return func(res *http.Response, body string) string {
			t.Helper()
			if res.StatusCode != status {
				t.Fatalf("%s = %d, want %d\n%.1500s", what, res.StatusCode, status, body)
			}
			return body
		}
	}

	// A worker reports through the public portal; intake opens a case.
	worker := f.browser(t)
	submitReport(t, worker, reportValues(formToken(t, worker), "wf"))
	intake := f.signedIn(t, f.agency, flare.RoleIntake)
	_, queue := intake.do("GET", "/intake", nil)
	reportID := between(t, queue, `href="/intake/`, `"`)
	res, body := intake.do("POST", "/intake/"+reportID+"/case", url.Values{"reference": {"LI-WF-1"}, "title": {"Farm North"}})
	step("open the case from the report", http.StatusSeeOther)(res, body)
	caseID := strings.TrimPrefix(res.Header.Get("Location"), "/cases/")
	api := "/api/v1/cases/" + caseID

	// The inspectorate records who and where, and inspects.
	insp := f.signedIn(t, f.agency, flare.RoleInspector)
	victim := jsonField(t, step("add the victim", 201)(insp.json("POST", api+"/persons",
		`{"role":"presumed_victim","first_name":"Neema","second_name":"Mwangi"}`)), "id")
	employer := jsonField(t, step("add the employer", 201)(insp.json("POST", api+"/organisations",
		`{"type":"employer","name":"North Farm Holdings"}`)), "id")
	site := jsonField(t, step("add the worksite", 201)(insp.json("POST", api+"/worksites", `{"name":"North farm, packing shed"}`)), "id")
	step("inspect", 201)(insp.json("POST", api+"/inspections", `{"kind":"unannounced","worksite_id":"`+site+`","visited_on":"2026-11-25",
		"inspector_names":["R. Thapa"],"findings":"Passports kept in the office safe","workers_interviewed":9,"orders":["Return the passports"]}`))
	step("move to investigation", 200)(insp.jsonIfMatch("PATCH", api, `{"status":"investigation"}`, `"v1"`))

	// Referral to the police on a provision of law; to victim services on
	// the victim's consent, for her record only.
	toPolice := jsonField(t, step("refer to the police", 201)(insp.json("POST", api+"/referrals", `{"to_agency_id":"`+police.ID+`",
		"purpose":"Criminal investigation of the employer","urgent":true,"due_on":"2026-12-01",
		"sharing":{"access":"contribute","legal_basis":"law","reference":"Anti-Trafficking Act, art. 12"}}`)), "id")
	toServices := jsonField(t, step("refer to victim services", 201)(insp.json("POST", api+"/referrals", `{"to_agency_id":"`+services.ID+`",
		"purpose":"Shelter and medical care","due_on":"2026-11-30","sharing":{"access":"contribute","person_ids":["`+victim+`"],
		"legal_basis":"consent","reference":"Given orally after her rights were read","consent_given_on":"2026-11-27",
		"consent_language":"sw","consent_interpreter":"Roster interpreter 12","consent_person_id":"`+victim+`",
		"consent_scope":"shelter placement and medical care","expires_on":"2027-05-27"}}`)), "id")

	officer := f.signedIn(t, police, flare.RoleInvestigator)
	social := f.signedIn(t, services, flare.RoleCaseworker)
	res, _ = officer.do("GET", api, nil)
	if res.StatusCode != 404 {
		t.Fatalf("the police read the case before accepting: %d", res.StatusCode)
	}
	step("police accept", 200)(officer.json("POST", "/api/v1/referrals/"+toPolice+"/accept", `{}`))
	step("victim services accept", 200)(social.json("POST", "/api/v1/referrals/"+toServices+"/accept", `{}`))

	// Victim services see her, not the rest of the case, and protect her.
	step("victim services read the victim", 200)(social.json("GET", "/api/v1/persons/"+victim, ""))
	if res, _ := social.json("GET", "/api/v1/organisations/"+employer, ""); res.StatusCode != 404 {
		t.Fatalf("victim services read the employer through a person-limited grant: %d", res.StatusCode)
	}
	step("shelter", 201)(social.json("POST", "/api/v1/persons/"+victim+"/services",
		`{"kind":"shelter","agency_id":"`+services.ID+`","provider":"Safe House East","started_on":"2026-11-27"}`))
	step("recovery period", 201)(social.json("POST", "/api/v1/persons/"+victim+"/protection-periods",
		`{"kind":"reflection_recovery","starts_on":"2026-11-27","agency_id":"`+services.ID+`"}`))

	// The police prosecute the employer to a conviction.
	p := step("open a criminal proceeding", 201)(officer.json("POST", api+"/proceedings", `{"kind":"criminal","reference":"CR-77/2026",
		"opened_on":"2026-11-28","organisation_ids":["`+employer+`"]}`))
	step("verdict", 200)(officer.json("PATCH", "/api/v1/proceedings/"+jsonField(t, p, "id"), `{"version":1,"stage":"verdict","outcome":"convicted",
		"penalties":[{"kind":"fine","amount":2500000,"currency":"KES"}]}`))

	// The victim withdraws her consent: victim services are cut off at once.
	step("withdraw consent", 200)(social.json("POST", "/api/v1/referrals/"+toServices+"/withdraw-consent", `{}`))
	if res, _ := social.json("GET", "/api/v1/persons/"+victim, ""); res.StatusCode != 404 {
		t.Fatalf("victim services read the victim after she withdrew consent: %d", res.StatusCode)
	}
	step("the police still work on the case", 200)(officer.json("GET", api, ""))

	// The inspectorate closes the case.
	step("move to proceedings", 200)(insp.jsonIfMatch("PATCH", api, `{"status":"proceedings"}`, `"v2"`))
	step("close", 200)(insp.jsonIfMatch("PATCH", api, `{"status":"closed","closure_reason":"proceedings_concluded"}`, `"v3"`))
	_, page := insp.do("GET", "/cases/"+caseID, nil)
	for _, want := range []string{"Closed", "Proceedings concluded", "Criminal investigation of the employer", "Consent withdrawn on", "CR-77/2026"} {
		if !strings.Contains(page, want) {
			t.Errorf("the closed case's page lacks %q", want)
		}
	}

	// Every agency's steps are in the audit log, each under its agency.
	for _, c := range []struct {
		agency, recordType, action string
	}{
		{f.agency.ID, "inspection", "create"}, {f.agency.ID, "referral", "share"},
		{police.ID, "case_grant", "share"}, {police.ID, "proceeding", "create"}, {police.ID, "proceeding", "update"},
		{services.ID, "case_grant", "share"}, {services.ID, "person", "read"}, {services.ID, "referral", "share"},
	} {
		entries, err := f.db.AuditEntries(t.Context(), sqlstore.AuditFilter{CaseID: caseID, AgencyID: c.agency,
			RecordType: c.recordType, Action: audit.Action(c.action)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(entries, func(e audit.Entry) bool { return e.Outcome == audit.OutcomeOK }) {
			t.Errorf("no audit entry of %s %s by agency %s", c.action, c.recordType, c.agency)
		}
	}
}

// between returns the text of s after the first start up to end.
func between(t *testing.T, s, start, end string) string {
	t.Helper()
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("no %q in %.500s", start, s)
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}
