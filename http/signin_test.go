package http

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// staffFixture is a server with accounts on a real database, one agency with
// a case, another agency with a case, and a user invited to the first.
type staffFixture struct {
	*testServer
	clock      *storetest.Clock
	keys       *sqlstore.KeyStore
	agency     *flare.Agency
	ownCase    *flare.Case
	otherCase  *flare.Case
	enrolToken string
	email      string
}

func newStaffFixture(t *testing.T, backend string) *staffFixture {
	t.Helper()
	return newStaffFixtureOn(t, storetest.Open(t, backend))
}

// newStaffFixtureOn builds the fixture on an open, migrated database.
func newStaffFixtureOn(t *testing.T, db *sqlstore.DB) *staffFixture {
	t.Helper()
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	db.SetClock(clock.Now)
	// One key store for every service: the blind index of names must be
	// computed with the same key ring that searches it.
	keys := storetest.Keys(t, db)
	accounts, err := sqlstore.NewAccountService(db, keys, flare.DefaultSessionPolicy(), storetest.FastParams, "Flare test")
	if err != nil {
		t.Fatal(err)
	}
	s := newServerFor(t, db, slog.LevelDebug)
	s.cfg.Accounts = accounts
	s.cfg.Cases = sqlstore.NewCaseService(db).WithKeys(keys)
	s.cfg.Persons = sqlstore.NewPersonService(db, keys)
	s.cfg.Assessments = sqlstore.NewAssessmentService(db, keys, screening.DefaultConfig())
	s.cfg.Agencies = sqlstore.NewAgencyService(db)
	s.cfg.Claims = sqlstore.NewClaimService(db, keys, sqlstore.FundRules{})
	s.cfg.Matches = sqlstore.NewMatchService(db, s.cfg.Persons.(*sqlstore.PersonService))
	s.cfg.Statistics = sqlstore.NewStatisticsService(db)
	s.cfg.Referrals = sqlstore.NewReferralService(db)
	s.cfg.Inspections, s.cfg.Proceedings = sqlstore.NewInspectionService(db, keys), sqlstore.NewProceedingService(db, keys)
	s.cfg.Erasure = s.cfg.Persons.(*sqlstore.PersonService)
	s.cfg.Protection = sqlstore.NewProtectionService(db, keys, flare.DefaultProtectionConfig())
	s.cfg.Grants = sqlstore.NewGrantService(db)
	s.cfg.Notes, s.cfg.Tasks = sqlstore.NewNoteService(db, keys), sqlstore.NewTaskService(db)
	s.cfg.Documents, s.cfg.Timeline = sqlstore.NewDocumentService(db, keys), sqlstore.NewTimelineService(db)
	s.cfg.Organisations, s.cfg.Worksites = sqlstore.NewOrganisationService(db), sqlstore.NewWorksiteService(db)
	s.cfg.Idempotency = sqlstore.NewIdempotencyStore(db)
	s.cfg.Users = sqlstore.NewUserService(db, flare.DefaultSessionPolicy())
	s.cfg.BaseURL = "https://flare.example"
	s.handler = s.middleware(s.routes())
	f := &staffFixture{testServer: s, clock: clock, email: "inspector@labour.example", keys: keys}
	agencies := sqlstore.NewAgencyService(db)
	f.agency = &flare.Agency{Name: "Labour Inspectorate", Kind: flare.AgencyLabourInspectorate}
	other := &flare.Agency{Name: "Police", Kind: flare.AgencyPolice}
	for _, a := range []*flare.Agency{f.agency, other} {
		if err := agencies.CreateAgency(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	console := flare.WithActor(ctx, flare.Actor{Console: true})
	cases := sqlstore.NewCaseService(db)
	f.ownCase = &flare.Case{AgencyID: f.agency.ID, Reference: "LI-1", Title: "Garment workshop", Status: flare.CaseOpen, OpenedOn: clock.Now()}
	f.otherCase = &flare.Case{AgencyID: other.ID, Reference: "POL-1", Title: "Police secret case", Status: flare.CaseOpen, OpenedOn: clock.Now()}
	for _, c := range []*flare.Case{f.ownCase, f.otherCase} {
		if err := cases.CreateCase(console, c); err != nil {
			t.Fatal(err)
		}
	}
	u := &flare.User{AgencyID: f.agency.ID, Email: f.email, Roles: []flare.Role{flare.RoleInspector}}
	f.enrolToken, err = sqlstore.NewUserService(db, flare.DefaultSessionPolicy()).CreateUser(flare.WithActor(ctx, flare.Actor{Console: true}), u)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// browser keeps cookies between requests to the handler, like a browser.
type browser struct {
	t       *testing.T
	h       http.Handler
	cookies map[string]*http.Cookie
	remote  string
}

func (f *staffFixture) browser(t *testing.T) *browser {
	return &browser{t: t, h: f.Handler(), cookies: map[string]*http.Cookie{}, remote: "192.0.2.10:5000"}
}

func (b *browser) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = b.remote
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return res, rec.Body.String()
}

var secretPattern = regexp.MustCompile(`<code class="secret" dir="ltr">([A-Z2-7]+)</code>`)

// enrol goes through the enrolment page and returns the TOTP secret.
func (f *staffFixture) enrol(t *testing.T, b *browser) string {
	t.Helper()
	res, page := b.do("GET", "/enrol/"+f.enrolToken, nil)
	m := secretPattern.FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("enrolment page = %d, no secret: %.300s", res.StatusCode, page)
	}
	if res, _ := b.do("GET", "/enrol/"+f.enrolToken+"/qr.png", nil); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR code = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	code, _ := auth.TOTPCode(m[1], f.clock.Now())
	res, page = b.do("POST", "/enrol/"+f.enrolToken, url.Values{"password": {"river otter pay slip"}, "password2": {"river otter pay slip"}, "code": {code}})
	if res.StatusCode != 200 || strings.Count(page, "<li><code>") != 10 {
		t.Fatalf("enrolment = %d: %.500s", res.StatusCode, page)
	}
	f.clock.Add(30 * time.Second)
	return m[1]
}

// signIn signs in through the two pages.
func (f *staffFixture) signIn(t *testing.T, b *browser, secret, next string) *http.Response {
	t.Helper()
	res, _ := b.do("POST", "/login", url.Values{"email": {f.email}, "password": {"river otter pay slip"}, "next": {next}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login/code") {
		t.Fatalf("password step = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	res, _ = b.do("POST", "/login/code", url.Values{"code": {code}, "next": {next}})
	f.clock.Add(30 * time.Second)
	return res
}

func TestSignInFlowAndCaseIsolation(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			b := f.browser(t)
			secret := f.enrol(t, b)

			// Not signed in: pages send to sign-in, the API answers 401.
			res, _ := b.do("GET", "/cases", nil)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
				t.Fatalf("anonymous /cases = %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			res, body := b.do("GET", "/api/v1/cases", nil)
			if res.StatusCode != 401 || !strings.Contains(body, `"code":"unauthorized"`) {
				t.Fatalf("anonymous API = %d %s", res.StatusCode, body)
			}

			res = f.signIn(t, b, secret, "/cases")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/cases" {
				t.Fatalf("code step = %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			sess := b.cookies[SessionCookie]
			if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure {
				t.Fatalf("session cookie = %+v", sess)
			}
			if _, ok := b.cookies[PendingCookie]; ok {
				t.Error("pending cookie kept after sign-in")
			}

			res, body = b.do("GET", "/cases", nil)
			if res.StatusCode != 200 || !strings.Contains(body, "Garment workshop") || strings.Contains(body, "Police secret case") {
				t.Fatalf("/cases = %d, own case shown %v, foreign case shown %v", res.StatusCode,
					strings.Contains(body, "Garment workshop"), strings.Contains(body, "Police secret case"))
			}
			res, body = b.do("GET", "/api/v1/cases", nil)
			var list caseListResponse
			if err := json.Unmarshal([]byte(body), &list); err != nil || res.StatusCode != 200 || len(list.Cases) != 1 || list.Cases[0].ID != f.ownCase.ID {
				t.Fatalf("API list = %d %s", res.StatusCode, body)
			}

			res, _ = b.do("POST", "/logout", url.Values{})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("logout = %d", res.StatusCode)
			}
			// The old cookie value is dead server-side, not only forgotten.
			b.cookies[SessionCookie] = sess
			if res, _ := b.do("GET", "/api/v1/cases", nil); res.StatusCode != 401 {
				t.Fatalf("API after logout with the old cookie = %d, want 401", res.StatusCode)
			}
		})
	}
}

// TestPasswordOnlyReachesNothing: after the password step alone, no route
// that shows data opens, even if the pending token is replayed as a session
// cookie (security checklist R-AZ3).
func TestPasswordOnlyReachesNothing(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	b := f.browser(t)
	f.enrol(t, b)
	res, _ := b.do("POST", "/login", url.Values{"email": {f.email}, "password": {"river otter pay slip"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("password step = %d", res.StatusCode)
	}
	pending := b.cookies[PendingCookie]
	if pending == nil {
		t.Fatal("no pending cookie")
	}
	b.cookies[SessionCookie] = &http.Cookie{Name: SessionCookie, Value: pending.Value}
	// Every page and API route of routes.go but the public ones, with the
	// fixture's own case where a route names one.
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	public := regexp.MustCompile(`^/(\{\$\}|login|login/code|enrol/.*|healthz|readyz|metrics|api/v1/openapi\.json|report(/.*)?)$`)
	n := 0
	for _, m := range regexp.MustCompile(`HandleFunc\("GET ([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		if public.MatchString(m[1]) {
			continue
		}
		path := regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(m[1], f.ownCase.ID)
		res, body := b.do("GET", path, nil)
		if res.StatusCode == 200 || strings.Contains(body, "Garment workshop") {
			t.Errorf("%s with a password-only session = %d", path, res.StatusCode)
		}
		n++
	}
	if n < 40 {
		t.Fatalf("only %d routes walked", n)
	}
}

func TestSignInErrors(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	b := f.browser(t)
	f.enrol(t, b)
	res, body := b.do("POST", "/login", url.Values{"email": {f.email}, "password": {"wrong password!!"}})
	if res.StatusCode != 401 || !strings.Contains(body, "The email address or password is not right.") {
		t.Fatalf("wrong password = %d", res.StatusCode)
	}
	if _, ok := b.cookies[PendingCookie]; ok {
		t.Fatal("pending cookie set after a wrong password")
	}
	res, _ = b.do("POST", "/login", url.Values{"email": {f.email}, "password": {"river otter pay slip"}, "next": {"//attacker.example/x"}})
	res, body = b.do("POST", "/login/code", url.Values{"code": {"123456"}, "next": {"//attacker.example/x"}})
	if res.StatusCode != 401 || !strings.Contains(body, "That code is not right") {
		t.Fatalf("wrong code = %d", res.StatusCode)
	}
	if res, _ := b.do("GET", "/enrol/not-a-token", nil); res.StatusCode != 404 {
		t.Errorf("bad enrolment link = %d, want 404", res.StatusCode)
	}
	if res, _ := b.do("GET", "/enrol/"+f.enrolToken, nil); res.StatusCode != 404 {
		t.Errorf("used enrolment link = %d, want 404", res.StatusCode)
	}
}

func TestOpenRedirectRefused(t *testing.T) {
	for in, want := range map[string]string{
		"/cases?status=open": "/cases?status=open", "": "/app", "//attacker.example": "/app",
		"https://attacker.example": "/app", "/\\attacker.example": "/app", "/x\r\nSet-Cookie: a=b": "/app",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignInRateLimited: the sixth attempt from one address within the
// window gets 429 with Retry-After (R-AZ7); another address is not affected.
func TestSignInRateLimited(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	b := f.browser(t)
	for i := 0; i < 5; i++ {
		if res, _ := b.do("POST", "/login", url.Values{"email": {"x@y.example"}, "password": {"wrong password!!"}}); res.StatusCode != 401 {
			t.Fatalf("attempt %d = %d, want 401", i+1, res.StatusCode)
		}
	}
	res, _ := b.do("POST", "/login", url.Values{"email": {"x@y.example"}, "password": {"wrong password!!"}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("sixth attempt = %d, Retry-After %q; want 429", res.StatusCode, res.Header.Get("Retry-After"))
	}
	other := f.browser(t)
	other.remote = "192.0.2.99:6000"
	if res, _ := other.do("POST", "/login", url.Values{"email": {"x@y.example"}, "password": {"wrong password!!"}}); res.StatusCode != 401 {
		t.Fatalf("other address = %d, want 401", res.StatusCode)
	}
}

// TestSignOutEverywhere: one click ends the user's sessions on every device.
func TestSignOutEverywhere(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	b := f.browser(t)
	secret := f.enrol(t, b)
	f.signIn(t, b, secret, "/app")
	phone := f.browser(t)
	f.signIn(t, phone, secret, "/app")
	if res, _ := phone.do("GET", "/api/v1/cases", nil); res.StatusCode != 200 {
		t.Fatalf("second device = %d", res.StatusCode)
	}
	if res, _ := b.do("POST", "/logout/everywhere", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere = %d", res.StatusCode)
	}
	if res, _ := phone.do("GET", "/api/v1/cases", nil); res.StatusCode != 401 {
		t.Fatalf("second device after sign-out everywhere = %d, want 401", res.StatusCode)
	}
}
