package http

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// personBody is a presumed victim with every group's fields, dates as
// YYYY-MM-DD.
const personBody = `{"role": "presumed_victim", "first_name": "Amina", "second_name": "Okafor", "birthdate": "1994-05-17",
	"contact": {"email": "amina@mail.example", "mobile_phone": "+254 700 123456", "mailing_city": "Mombasa", "mailing_country": "KE"},
	"identity_documents": [{"type": "passport", "number": "AK1234567", "issuing_country": "KE", "expires_on": "2029-01-31"}],
	"gender": "feminine", "citizenship": ["KE"], "primary_language": "sw",
	"victim_status": {"suspected": {"decided_on": "2026-03-14", "decided_by": "ngo"}}}`

// identityKeys are the JSON keys of the identity field group.
var identityKeys = []string{"first_name", "middle_name", "second_name", "birthdate", "contact", "identity_documents"}

func jsonKeys(t *testing.T, body string) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, body)
	}
	return m
}

// withHeader sends a request with one extra header.
func (b *browser) withHeader(method, path, key, value string) (*http.Response, string) {
	b.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set(key, value)
	req.RemoteAddr = b.remote
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	return rec.Result(), rec.Body.String()
}

func personAuditCount(t *testing.T, db *sqlstore.DB, caseID, personID string, action audit.Action, outcome audit.Outcome) (int, []audit.Entry) {
	t.Helper()
	entries, err := db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: caseID, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, e := range entries {
		if e.RecordType == "person" && e.RecordID == personID && e.Outcome == outcome {
			out = append(out, e)
		}
	}
	return len(out), out
}

// TestPersonsAPI: create, read, update and export a person through the API
// on both databases, with field groups enforced on read and on write
// (security checklist R-AZ2), lost-update protection (R-CC1), the
// justification rule for police, and audit entries counted.
func TestPersonsAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			cw := f.signedIn(t, f.agency, flare.RoleCaseworker)
			caseURL := "/api/v1/cases/" + f.ownCase.ID + "/persons"
			res, body := cw.json("POST", caseURL, personBody)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create = %d %s", res.StatusCode, body)
			}
			var p flare.Person
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatal(err)
			}
			url := "/api/v1/persons/" + p.ID
			if p.Contact.MobilePhone != "+254700123456" || p.Birthdate == nil || p.Birthdate.Format("2006-01-02") != "1994-05-17" {
				t.Errorf("stored %+v", p.PersonIdentity)
			}
			res, body = cw.json("GET", url, "")
			if res.StatusCode != 200 || res.Header.Get("ETag") != `"v1"` {
				t.Fatalf("caseworker read = %d %s", res.StatusCode, body)
			}
			for _, k := range []string{"first_name", "contact", "identity_documents", "birthdate", "gender"} {
				if _, ok := jsonKeys(t, body)[k]; !ok {
					t.Errorf("caseworker's read lacks %q", k)
				}
			}

			// R-AZ2 on read: intake gets no identity key at all.
			intake := f.signedIn(t, f.agency, flare.RoleIntake)
			res, body = intake.json("GET", url, "")
			if res.StatusCode != 200 {
				t.Fatalf("intake read = %d %s", res.StatusCode, body)
			}
			keys := jsonKeys(t, body)
			for _, k := range identityKeys {
				if _, ok := keys[k]; ok {
					t.Errorf("intake's response holds identity key %q: %s", k, body)
				}
			}
			if strings.Contains(body, "Amina") || strings.Contains(body, "AK1234567") || string(keys["identity_withheld"]) != `"not_permitted"` {
				t.Errorf("intake's response: %s", body)
			}
			res, body = intake.json("GET", caseURL, "")
			if res.StatusCode != 200 || strings.Contains(body, `"first_name"`) {
				t.Errorf("intake's list = %d %s", res.StatusCode, body)
			}

			// R-AZ2 on write: a forbidden field is 403 and changes nothing.
			res, body = intake.jsonIfMatch("PATCH", url, `{"first_name": "Changed", "gender": "masculine"}`, `"v1"`)
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("intake PATCH of first_name = %d %s, want 403", res.StatusCode, body)
			}
			_, body = cw.json("GET", url, "")
			if !strings.Contains(body, `"first_name":"Amina"`) || !strings.Contains(body, `"gender":"feminine"`) || !strings.Contains(body, `"version":1`) {
				t.Errorf("the refused PATCH changed something: %s", body)
			}
			if n, _ := personAuditCount(t, f.db, f.ownCase.ID, p.ID, audit.ActionUpdate, audit.OutcomeDenied); n != 1 {
				t.Errorf("%d denied update entries, want 1", n)
			}

			// R-CC1: 428 without If-Match, one of two editors of v1 wins.
			if res, _ := cw.json("PATCH", url, `{"gender": "masculine"}`); res.StatusCode != http.StatusPreconditionRequired {
				t.Errorf("PATCH without If-Match = %d, want 428", res.StatusCode)
			}
			res, body = cw.jsonIfMatch("PATCH", url, `{"mailing_city": "x"}`, `"v1"`)
			if res.StatusCode != 400 || !strings.Contains(body, `"mailing_city"`) {
				t.Errorf("unknown key = %d %s", res.StatusCode, body)
			}
			res, body = cw.jsonIfMatch("PATCH", url, `{"citizenship": ["ZZ"]}`, `"v1"`)
			if res.StatusCode != 400 || !strings.Contains(body, `"citizenship"`) {
				t.Errorf("bad country = %d %s", res.StatusCode, body)
			}
			res, body = cw.jsonIfMatch("PATCH", url, `{"second_name": "Okafor-Eze", "age_years": null}`, `"v1"`)
			if res.StatusCode != 200 || res.Header.Get("ETag") != `"v2"` {
				t.Fatalf("first PATCH = %d %s", res.StatusCode, body)
			}
			if res, body := cw.jsonIfMatch("PATCH", url, `{"second_name": "Other"}`, `"v1"`); res.StatusCode != http.StatusPreconditionFailed {
				t.Errorf("stale PATCH = %d %s, want 412", res.StatusCode, body)
			}

			// Police read a victim's identity only with a reason, recorded.
			police := f.signedIn(t, f.agency, flare.RoleInvestigator)
			_, body = police.json("GET", url, "")
			if _, ok := jsonKeys(t, body)["first_name"]; ok || !strings.Contains(body, `"identity_withheld":"justification_required"`) {
				t.Errorf("investigator without a reason: %s", body)
			}
			res, body = police.withHeader("GET", url, JustificationHeader, "Warrant 2026/114")
			if res.StatusCode != 200 || !strings.Contains(body, `"first_name":"Amina"`) {
				t.Fatalf("investigator with a reason = %d %s", res.StatusCode, body)
			}
			_, reads := personAuditCount(t, f.db, f.ownCase.ID, p.ID, audit.ActionRead, audit.OutcomeOK)
			if reads[0].Justification != "Warrant 2026/114" {
				t.Errorf("the read is recorded without its reason: %+v", reads[0])
			}

			// Other agencies and roles.
			other := f.signedIn(t, f.otherAgency(t), flare.RoleCaseworker)
			if res, _ := other.json("GET", url, ""); res.StatusCode != 404 {
				t.Errorf("other agency read = %d, want 404", res.StatusCode)
			}
			admin := f.signedIn(t, f.agency, flare.RoleAdmin)
			if res, _ := admin.json("GET", url, ""); res.StatusCode != 403 {
				t.Errorf("admin read = %d, want 403", res.StatusCode)
			}
			res, body = intake.json("POST", caseURL, personBody)
			if res.StatusCode != 403 {
				t.Errorf("intake creating a person with identity = %d %s, want 403", res.StatusCode, body)
			}
			res, body = cw.json("POST", caseURL, `{"role": "boss"}`)
			if res.StatusCode != 400 || !strings.Contains(body, `"role"`) {
				t.Errorf("bad role = %d %s", res.StatusCode, body)
			}
			res, body = cw.json("POST", caseURL, `{"role": "witness", "birthdate": "17/05/1994", "first_name": "A"}`)
			if res.StatusCode != 400 || !strings.Contains(body, `"birthdate`) {
				t.Errorf("bad date = %d %s", res.StatusCode, body)
			}

			// Search by name.
			res, body = cw.json("GET", "/api/v1/persons?name=okafor-eze", "")
			if res.StatusCode != 200 || !strings.Contains(body, p.ID) {
				t.Errorf("find = %d %s", res.StatusCode, body)
			}

			// Subject access: supervisors of the owning agency only.
			if res, _ := cw.json("GET", url+"/export", ""); res.StatusCode != 403 {
				t.Errorf("caseworker export = %d, want 403", res.StatusCode)
			}
			sup := f.signedIn(t, f.agency, flare.RoleSupervisor)
			res, body = sup.json("GET", url+"/export", "")
			if res.StatusCode != 200 || !strings.Contains(body, `"audit_summary"`) || !strings.Contains(body, `"number":"AK1234567"`) {
				t.Fatalf("export = %d %s", res.StatusCode, body)
			}
			if n, _ := personAuditCount(t, f.db, f.ownCase.ID, p.ID, audit.ActionExport, audit.OutcomeOK); n != 1 {
				t.Errorf("%d export entries, want 1", n)
			}
			if n, _ := personAuditCount(t, f.db, f.ownCase.ID, p.ID, audit.ActionCreate, audit.OutcomeOK); n != 1 {
				t.Errorf("%d create entries, want 1", n)
			}
		})
	}
}

// FuzzPersonBody feeds arbitrary bodies to the person decoders of POST and
// PATCH: they refuse with an invalid-input error or produce an update,
// never panic (security checklist R-IH1).
func FuzzPersonBody(f *testing.F) {
	f.Add(personBody)
	f.Add(`{"birthdate": null, "age_years": 3, "victim_status": null}`)
	f.Add(`{"identity_documents": [{"type": "passport", "number": "1", "expires_on": "2030-02-30"}]}`)
	f.Add(`{"contact": {"email": 5}}`)
	f.Add(`[]`)
	f.Add(`{"version": 3}`)
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("PATCH", "/api/v1/persons/x", strings.NewReader(body))
		fields, err := decodePersonFields(rec, req)
		if err != nil {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("decode error %v is not invalid input", err)
			}
			return
		}
		if _, err := personUpdateFrom(1, fields); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("update error %v is not invalid input", err)
		}
		var p flare.Person
		for k, v := range fields {
			if err := unmarshalPersonField(&p, k, v); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("create error %v is not invalid input", err)
			}
		}
		_ = p.Validate()
	})
}

// TestPersonFieldGroupsThroughHTTP: every role of the owning agency, and
// of an agency with a profile-only grant, reads the person through the
// API; identity keys appear exactly for the roles the policy gives the
// identity group (R-AZ2), on both databases.
func TestPersonFieldGroupsThroughHTTP(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			ctx := context.Background()
			console := flare.WithActor(ctx, flare.Actor{Console: true})
			p := &flare.Person{CaseID: f.ownCase.ID, Role: flare.RoleWitness,
				PersonIdentity: &flare.PersonIdentity{FirstName: "Ravi", SecondName: "Kumar"}, Gender: flare.GenderMasculine}
			if err := f.cfg.Persons.CreatePerson(console, p); err != nil {
				t.Fatal(err)
			}
			partner := f.otherAgency(t)
			g := &flare.CaseGrant{CaseID: f.ownCase.ID, AgencyID: partner.ID, Access: flare.GrantRead, Basis: flare.BasisLaw,
				Reference: "Act 4, s. 2", FieldGroups: []flare.FieldGroup{flare.FieldGroupProfile}}
			if err := sqlstore.NewGrantService(f.db).ShareCase(console, g); err != nil {
				t.Fatal(err)
			}
			for _, rel := range []struct {
				name   string
				agency *flare.Agency
			}{{"owner", f.agency}, {"profile-grantee", partner}} {
				for _, role := range flare.Roles() {
					b := f.signedIn(t, rel.agency, role)
					res, body := b.json("GET", "/api/v1/persons/"+p.ID, "")
					want, identity := 200, false
					switch {
					case role == flare.RoleAdmin || role == flare.RoleAnalyst:
						want = 403
					case rel.name == "owner" && role != flare.RoleIntake:
						identity = true
					}
					if res.StatusCode != want {
						t.Errorf("%s %s: %d, want %d", rel.name, role, res.StatusCode, want)
						continue
					}
					if want != 200 {
						continue
					}
					keys := jsonKeys(t, body)
					for _, k := range identityKeys {
						if _, ok := keys[k]; ok && !identity {
							t.Errorf("%s %s receives identity key %q", rel.name, role, k)
						}
					}
					if _, ok := keys["first_name"]; ok != identity {
						t.Errorf("%s %s: first_name present = %v, want %v", rel.name, role, ok, identity)
					}
					if _, ok := keys["gender"]; !ok {
						t.Errorf("%s %s: no profile", rel.name, role)
					}
				}
			}
		})
	}
}
