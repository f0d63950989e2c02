package http

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/sqlstore"
)

// signedIn creates, enrols and signs in a user with one role, and returns a
// browser holding its session.
func (f *staffFixture) signedIn(t *testing.T, agency *flare.Agency, role flare.Role, more ...flare.Role) *browser {
	t.Helper()
	ctx := context.Background()
	email := fmt.Sprintf("%s.%s@test.example", role, agency.ID)
	u := &flare.User{AgencyID: agency.ID, Email: email, Roles: append([]flare.Role{role}, more...)}
	token, err := sqlstore.NewUserService(f.db, flare.DefaultSessionPolicy()).CreateUser(flare.WithActor(ctx, flare.Actor{Console: true}), u)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.cfg.Accounts.Enrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(e.TOTPSecret, f.clock.Now())
	if _, err := f.cfg.Accounts.CompleteEnrolment(ctx, token, "river otter pay slip", code); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(30 * 1e9)
	pending, err := f.cfg.Accounts.SignIn(ctx, email, "river otter pay slip")
	if err != nil {
		t.Fatal(err)
	}
	code, _ = auth.TOTPCode(e.TOTPSecret, f.clock.Now())
	session, err := f.cfg.Accounts.CompleteSignIn(ctx, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	b := f.browser(t)
	b.cookies[SessionCookie] = &http.Cookie{Name: SessionCookie, Value: session}
	return b
}

// TestAccessThroughHTTP runs the read column of the access matrix through
// the API on both databases: each role of the owning agency, of an agency
// with a read grant, and of an agency without one (security checklist
// R-AZ1: 404 for a case the user may not know, 403 for one it may).
func TestAccessThroughHTTP(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			ctx := context.Background()
			agencies := sqlstore.NewAgencyService(f.db)
			grantee := &flare.Agency{Name: "Victim Services", Kind: flare.AgencyVictimServices}
			stranger := &flare.Agency{Name: "Immigration Office", Kind: flare.AgencyImmigration}
			for _, a := range []*flare.Agency{grantee, stranger} {
				if err := agencies.CreateAgency(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			console := flare.WithActor(ctx, flare.Actor{Console: true})
			g := &flare.CaseGrant{CaseID: f.ownCase.ID, AgencyID: grantee.ID, Access: flare.GrantRead,
				Basis: flare.BasisLaw, Reference: "Victim Protection Act, s. 4"}
			if err := sqlstore.NewGrantService(f.db).ShareCase(console, g); err != nil {
				t.Fatal(err)
			}
			noContents := map[flare.Role]bool{flare.RoleAdmin: true, flare.RoleAnalyst: true}
			for _, role := range flare.Roles() {
				for _, rel := range []struct {
					name   string
					agency *flare.Agency
					want   int
				}{
					{"owner", f.agency, 200},
					{"grantee", grantee, 200},
					{"stranger", stranger, 404},
				} {
					want := rel.want
					if noContents[role] && rel.want == 200 {
						want = 403
					}
					b := f.signedIn(t, rel.agency, role)
					res, body := b.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil)
					if res.StatusCode != want {
						t.Errorf("%s of %s reading the case = %d, want %d: %s", role, rel.name, res.StatusCode, want, body)
					}
				}
			}
		})
	}
}

// TestCaseAuditTrail: a supervisor of the owning agency sees who read the
// case; an inspector of the agency gets 403 and another agency 404.
func TestCaseAuditTrail(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			inspector := f.signedIn(t, f.agency, flare.RoleInspector)
			if res, _ := inspector.do("GET", "/api/v1/cases/"+f.ownCase.ID, nil); res.StatusCode != 200 {
				t.Fatalf("inspector read = %d", res.StatusCode)
			}
			supervisor := f.signedIn(t, f.agency, flare.RoleSupervisor)
			res, body := supervisor.do("GET", "/api/v1/cases/"+f.ownCase.ID+"/audit", nil)
			if res.StatusCode != 200 || !strings.Contains(body, `"action":"read"`) || !strings.Contains(body, `"action":"create"`) {
				t.Fatalf("supervisor audit = %d %s", res.StatusCode, body)
			}
			if res, _ := inspector.do("GET", "/api/v1/cases/"+f.ownCase.ID+"/audit", nil); res.StatusCode != 403 {
				t.Errorf("inspector audit = %d, want 403", res.StatusCode)
			}
			police := f.signedIn(t, f.otherAgency(t), flare.RoleSupervisor)
			if res, _ := police.do("GET", "/api/v1/cases/"+f.ownCase.ID+"/audit", nil); res.StatusCode != 404 {
				t.Errorf("other agency's supervisor audit = %d, want 404", res.StatusCode)
			}
		})
	}
}

// TestUpdateCaseThroughAPI: the update column of the access matrix through
// HTTP, and lost-update protection: two editors save version 1, one wins
// (200), the other gets 412; no If-Match gets 428 (R-AZ1, R-CC1).
func TestUpdateCaseThroughAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			path := "/api/v1/cases/" + f.ownCase.ID
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			b := f.signedIn(t, f.agency, flare.RoleCaseworker)
			res, _ := a.json("PATCH", path, `{"title":"No precondition"}`)
			if res.StatusCode != http.StatusPreconditionRequired {
				t.Fatalf("PATCH without If-Match = %d, want 428", res.StatusCode)
			}
			res, body := a.do("GET", path, nil)
			tag := res.Header.Get("ETag")
			if res.StatusCode != 200 || tag != `"v1"` {
				t.Fatalf("GET = %d ETag %q", res.StatusCode, tag)
			}
			_ = body
			res, body = a.jsonIfMatch("PATCH", path, `{"title":"Editor A"}`, tag)
			if res.StatusCode != 200 || res.Header.Get("ETag") != `"v2"` {
				t.Fatalf("first save = %d %s", res.StatusCode, body)
			}
			res, _ = b.jsonIfMatch("PATCH", path, `{"title":"Editor B"}`, tag)
			if res.StatusCode != http.StatusPreconditionFailed {
				t.Fatalf("stale save = %d, want 412", res.StatusCode)
			}
			_, body = a.do("GET", path, nil)
			if !strings.Contains(body, `"title":"Editor A"`) {
				t.Fatalf("after the stale save: %s", body)
			}
			res, _ = a.jsonIfMatch("PATCH", path, `{"status":"closed","closed_on":"2026-12-01","closure_reason":"resolved"}`, `"v2"`)
			if res.StatusCode != 200 {
				t.Fatalf("close = %d", res.StatusCode)
			}
			for _, bad := range []struct{ body, etag string }{
				{`{"status":"lost"}`, `"v3"`}, {`{"closed_on":"tomorrow"}`, `"v3"`}, {`{"colour":"red"}`, `"v3"`}, {`{"title":"x"}`, `v3`},
			} {
				if res, _ := a.jsonIfMatch("PATCH", path, bad.body, bad.etag); res.StatusCode != 400 {
					t.Errorf("PATCH %s If-Match %s = %d, want 400", bad.body, bad.etag, res.StatusCode)
				}
			}
			// Other agencies: 404; admins of the agency: 403.
			if res, _ := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator).jsonIfMatch("PATCH", path, `{"title":"x"}`, `"v3"`); res.StatusCode != 404 {
				t.Errorf("foreign PATCH = %d, want 404", res.StatusCode)
			}
			if res, _ := f.signedIn(t, f.agency, flare.RoleAdmin).jsonIfMatch("PATCH", path, `{"title":"x"}`, `"v3"`); res.StatusCode != 403 {
				t.Errorf("admin PATCH = %d, want 403", res.StatusCode)
			}
		})
	}
}

// TestCasePageShowsAccessToSupervisors: the supervisor's case page lists
// who read the case, by email for colleagues; an inspector's does not.
func TestCasePageShowsAccessToSupervisors(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	inspector := f.signedIn(t, f.agency, flare.RoleInspector)
	res, body := inspector.do("GET", "/cases/"+f.ownCase.ID, nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Garment workshop") || strings.Contains(body, "Who looked at this case") {
		t.Fatalf("inspector's case page = %d", res.StatusCode)
	}
	supervisor := f.signedIn(t, f.agency, flare.RoleSupervisor)
	res, body = supervisor.do("GET", "/cases/"+f.ownCase.ID+"?lang=en", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "Who looked at this case") || !strings.Contains(body, "inspector."+f.agency.ID+"@test.example") {
		t.Fatalf("supervisor's case page = %d: %s", res.StatusCode, body)
	}
	if res, _ := inspector.do("GET", "/cases/"+f.otherCase.ID, nil); res.StatusCode != 404 {
		t.Errorf("another agency's case page = %d, want 404", res.StatusCode)
	}
}
