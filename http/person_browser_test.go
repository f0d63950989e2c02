package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/sqlstore"
)

// enrolled creates and enrols a user with role in agency and returns its
// email and TOTP secret, for a browser to sign in with.
func (f *staffFixture) enrolled(t *testing.T, agency *flare.Agency, role flare.Role) (string, string) {
	t.Helper()
	ctx := context.Background()
	email := string(role) + ".browser@" + agency.ID[:8] + ".example"
	u := &flare.User{AgencyID: agency.ID, Email: email, Roles: []flare.Role{role}}
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
	f.clock.Add(30 * time.Second)
	return email, e.TOTPSecret
}

// TestBrowserAddPerson: a caseworker at phone width (390 px) signs in,
// opens a case, adds a person through the form without any script, and
// sees them on their page and in the case; nothing overflows the screen.
func TestBrowserAddPerson(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	email, secret := f.enrolled(t, f.agency, flare.RoleCaseworker)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), "river otter pay slip"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatalf("password step: %v", err)
	}
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("nav.staff-nav")),
		chromedp.Navigate(ts.URL+"/cases/"+f.ownCase.ID),
		chromedp.WaitVisible(chromedp.CSS("#people")),
		chromedp.Click(chromedp.CSS(`a[href="/cases/`+f.ownCase.ID+`/persons/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#first_name")),
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Lwazi"),
		chromedp.SendKeys(chromedp.CSS("#second_name"), "Dlamini"),
		chromedp.SendKeys(chromedp.CSS("#citizenship"), "ZA"),
		chromedp.SendKeys(chromedp.CSS("#doc_number_0"), "ZA998877"),
		chromedp.SetValue(chromedp.CSS("#doc_type_0"), "passport"),
		chromedp.Submit(chromedp.CSS("#first_name")),
		chromedp.WaitVisible(chromedp.CSS("dl.facts")),
	)
	if err != nil {
		t.Fatalf("add a person: %v", err)
	}
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	facts, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("dl.facts")))
	if heading != "Lwazi Dlamini" || !strings.Contains(facts, "ZA998877") {
		t.Fatalf("person page: %q / %q", heading, facts)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
	if err != nil || width > 390 {
		t.Errorf("the person page is %d px wide at phone width (%v)", width, err)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href^="/cases/"]`)), chromedp.WaitVisible(chromedp.CSS("#people")))
	if err != nil {
		t.Fatal(err)
	}
	people, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#people")))
	if !strings.Contains(people, "Lwazi Dlamini") {
		t.Errorf("case page people: %q", people)
	}
}
