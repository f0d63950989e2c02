package http

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// consentForm is the referral form filled for a consent-based referral of
// person personID to agency to.
func consentForm(to, personID string) url.Values {
	return url.Values{"to_agency_id": {to}, "purpose": {"Shelter place tonight"}, "urgent": {"1"},
		"due_on": {"2026-11-30"}, "scope": {"people"}, "person_id": {personID}, "access": {"read"},
		"legal_basis": {"consent"}, "reference": {"Given orally after her rights were read"},
		"consent_person_id": {personID}, "consent_given_on": {"2026-11-27"}, "consent_language": {"sw"},
		"consent_interpreter": {"Roster interpreter 12"}, "consent_scope": {"shelter and medical care"},
		"expires_on": {"2027-05-27"}}
}

// addPersonTo records a presumed victim in the fixture's own case.
func (f *staffFixture) addPersonTo(t *testing.T) *flare.Person {
	t.Helper()
	p := &flare.Person{CaseID: f.ownCase.ID, Role: flare.RolePresumedVictim,
		PersonIdentity: &flare.PersonIdentity{FirstName: "Neema", SecondName: "Mwangi"}}
	if err := f.cfg.Persons.CreatePerson(f.actorCtx(), p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReferralPages walks the referral pages on both databases: the
// inspectorate refers a victim on her consent from the case page, a bad
// form comes back with the reason next to the field, victim services
// find it waiting (overdue once its date passes), a decline without a
// reason is refused, acceptance opens the case and a second accept is
// refused; then the victim withdraws her consent and the next read by
// victim services is refused (issue #6; R-DP4).
func TestReferralPages(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testReferralPages(t, backend) })
	}
}

func testReferralPages(t *testing.T, backend string) {
	f := newStaffFixture(t, backend)
	victim := f.addPersonTo(t)
	services := &flare.Agency{Name: "Victim Services", Kind: flare.AgencyVictimServices}
	if err := sqlstore.NewAgencyService(f.db).CreateAgency(t.Context(), services); err != nil {
		t.Fatal(err)
	}
	insp := f.signedIn(t, f.agency, flare.RoleInspector)
	worker := f.signedIn(t, services, flare.RoleCaseworker)
	casePage := "/cases/" + f.ownCase.ID

	res, body := insp.do("GET", casePage+"/referrals/new", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Victim Services") || strings.Contains(body, `value="`+f.agency.ID+`"`) ||
		!strings.Contains(body, "Neema Mwangi") {
		t.Fatalf("referral form = %d\n%s", res.StatusCode, body)
	}
	bad := consentForm(services.ID, victim.ID)
	bad.Set("consent_language", "Swahili")
	res, body = insp.do("POST", casePage+"/referrals", bad)
	if res.StatusCode != 400 || !strings.Contains(body, `id="consent_language"`) || !strings.Contains(body, "ISO 639") ||
		!strings.Contains(body, `value="Shelter place tonight"`) {
		t.Fatalf("bad form = %d\n%s", res.StatusCode, body)
	}
	res, _ = insp.do("POST", casePage+"/referrals", consentForm(services.ID, victim.ID))
	if res.StatusCode != 303 || res.Header.Get("Location") != casePage+"#sharing" {
		t.Fatalf("send = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := insp.do("GET", casePage, nil); !strings.Contains(body, `id="sharing"`) || !strings.Contains(body, "Shelter place tonight") {
		t.Fatalf("the case page does not show the referral:\n%s", body)
	}
	if res, _ := worker.do("GET", "/api/v1/persons/"+victim.ID, nil); res.StatusCode != 404 {
		t.Fatalf("victim services before accepting = %d", res.StatusCode)
	}

	// Past the due date; the sessions have expired meanwhile, so a
	// supervisor of each agency carries on.
	f.clock.Add(4 * 24 * time.Hour)
	worker = f.signedIn(t, services, flare.RoleSupervisor)
	insp = f.signedIn(t, f.agency, flare.RoleSupervisor)
	res, body = worker.do("GET", "/referrals", nil)
	if res.StatusCode != 200 || !strings.Contains(body, `id="sent-heading"`) {
		t.Fatalf("referrals page = %d\n%s", res.StatusCode, body)
	}
	waiting := body[strings.Index(body, `id="waiting-heading"`):strings.Index(body, `id="sent-heading"`)]
	if !strings.Contains(waiting, "Shelter place tonight") || !strings.Contains(waiting, "Overdue") {
		t.Fatalf("the waiting list:\n%s", waiting)
	}
	m := regexp.MustCompile(`id="referral-([0-9a-f-]+)"`).FindStringSubmatch(waiting)
	if m == nil {
		t.Fatalf("no referral id in the waiting list:\n%s", waiting)
	}
	id := m[1]
	if res, body := worker.do("POST", "/referrals/"+id+"/decline", url.Values{"reason": {" "}}); res.StatusCode != 400 ||
		!strings.Contains(body, `role="alert"`) {
		t.Fatalf("decline without reason = %d\n%s", res.StatusCode, body)
	}
	res, _ = worker.do("POST", "/referrals/"+id+"/accept", url.Values{})
	if res.StatusCode != 303 || res.Header.Get("Location") != casePage {
		t.Fatalf("accept = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, body := worker.do("POST", "/referrals/"+id+"/accept", url.Values{}); res.StatusCode != 409 || !strings.Contains(body, "already accepted") {
		t.Fatalf("second accept = %d\n%s", res.StatusCode, body)
	}
	if res, _ := worker.do("GET", "/api/v1/persons/"+victim.ID, nil); res.StatusCode != 200 {
		t.Fatalf("victim services after accepting = %d", res.StatusCode)
	}
	// A grantee sees no sharing section: who else holds the case is the
	// owning agency's business.
	if _, body := worker.do("GET", casePage, nil); strings.Contains(body, `id="sharing"`) {
		t.Fatal("a grantee sees the case's sharing")
	}

	// The victim tells victim services she withdraws her consent.
	if res, _ := worker.do("POST", "/referrals/"+id+"/withdraw-consent", url.Values{}); res.StatusCode != 400 {
		t.Fatalf("withdrawal without confirmation = %d", res.StatusCode)
	}
	res, _ = worker.do("POST", "/referrals/"+id+"/withdraw-consent", url.Values{"confirm": {"1"}, "back": {"//evil.example/"}})
	if res.StatusCode != 303 || res.Header.Get("Location") != "/referrals" {
		t.Fatalf("withdraw = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := worker.do("GET", "/api/v1/persons/"+victim.ID, nil); res.StatusCode != 404 {
		t.Fatalf("victim services after withdrawal = %d, want 404", res.StatusCode)
	}
	if _, body := insp.do("GET", casePage, nil); !strings.Contains(body, "Consent withdrawn on") {
		t.Fatalf("the case page does not say consent was withdrawn:\n%s", body)
	}
}

// TestGrantAPI: a supervisor lists who has access to a case and ends a
// consent-based grant by recording the withdrawal of consent; a law-based
// grant has no consent to withdraw; another agency learns nothing.
func TestGrantAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			police := f.otherAgency(t)
			given, expires := f.clock.Now(), f.clock.Now().AddDate(0, 6, 0)
			consent := &flare.CaseGrant{CaseID: f.ownCase.ID, AgencyID: police.ID, Access: flare.GrantRead, Basis: flare.BasisConsent,
				Reference: "signed form", ConsentGivenOn: &given, ConsentLanguage: "fr", ConsentScope: "the case", ExpiresOn: &expires}
			law := &flare.CaseGrant{CaseID: f.ownCase.ID, AgencyID: police.ID, Access: flare.GrantRead, Basis: flare.BasisLaw, Reference: "Act, art. 4"}
			grants := sqlstore.NewGrantService(f.db)
			for _, g := range []*flare.CaseGrant{consent, law} {
				if err := grants.ShareCase(f.actorCtx(), g); err != nil {
					t.Fatal(err)
				}
			}
			sup := f.signedIn(t, f.agency, flare.RoleSupervisor)
			officer := f.signedIn(t, police, flare.RoleInvestigator)
			if res, body := sup.do("GET", "/api/v1/cases/"+f.ownCase.ID+"/grants", nil); res.StatusCode != 200 ||
				!strings.Contains(body, `"consent_language":"fr"`) {
				t.Fatalf("grants = %d %s", res.StatusCode, body)
			}
			if res, _ := officer.do("GET", "/api/v1/cases/"+f.ownCase.ID+"/grants", nil); res.StatusCode != 403 {
				t.Fatalf("grants read by the grantee = %d, want 403", res.StatusCode)
			}
			if res, body := sup.json("POST", "/api/v1/grants/"+law.ID+"/withdraw-consent", `{}`); res.StatusCode != 409 {
				t.Fatalf("withdraw consent of a law grant = %d %s", res.StatusCode, body)
			}
			if res, body := sup.json("POST", "/api/v1/grants/"+consent.ID+"/withdraw-consent", `{}`); res.StatusCode != 200 ||
				!strings.Contains(body, `"consent_withdrawn_at"`) {
				t.Fatalf("withdraw = %d %s", res.StatusCode, body)
			}
			if res, _ := officer.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil); res.StatusCode != 200 {
				t.Fatalf("the law grant still opens the case: %d", res.StatusCode)
			}
			if res, _ := sup.json("POST", "/api/v1/grants/"+law.ID+"/revoke", `{}`); res.StatusCode != 200 {
				t.Fatalf("revoke = %d", res.StatusCode)
			}
			if res, _ := officer.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil); res.StatusCode != 404 {
				t.Fatalf("read after every grant ended = %d, want 404", res.StatusCode)
			}
			if res, _ := sup.json("POST", "/api/v1/grants/"+law.ID+"/explode", `{}`); res.StatusCode != 404 {
				t.Fatalf("unknown action = %d", res.StatusCode)
			}
		})
	}
}
