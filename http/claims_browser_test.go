package http

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestBrowserScreeningAndClaim walks, at phone width on both databases,
// what an inspector does for a worker after the case is open: the screening
// interview (issue #7) with a met result recorded as a presumption, then a
// wage claim entered with its periods and an award recorded (issue #8).
func TestBrowserScreeningAndClaim(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testBrowserScreeningAndClaim(t, backend) })
	}
}

func testBrowserScreeningAndClaim(t *testing.T, backend string) {
	f := newStaffFixture(t, backend)
	worker, employer := claimFixture(t, f)
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	w := &phone{t: t, ctx: newBrowser(t), base: ts.URL}
	inspector := f.signedIn(t, f.agency, flare.RoleInspector)
	w.do("set the session cookie", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+SessionCookie+`=`+inspector.cookies[SessionCookie].Value+`; path=/"`))
	personPage := "/persons/" + worker.ID

	// The interview: two signs in one job, the details left as prefilled.
	w.open(personPage, "main h1")
	w.do("start the interview", chromedp.Click(chromedp.CSS(`a[href="`+personPage+`/screening"]`)),
		chromedp.WaitVisible(chromedp.CSS("#age")))
	w.fits()
	job, docs := questionNumber(t, "job_different_from_promised"), questionNumber(t, "documents_kept")
	w.do("answer", chromedp.SendKeys(chromedp.CSS("#age"), "29"),
		chromedp.Click(chromedp.CSS(`input[name="q`+job+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="q`+docs+`"]`)),
		chromedp.Submit(chromedp.CSS("#age")),
		chromedp.WaitVisible(chromedp.CSS(".verdict")))
	w.fits()
	w.contains(".verdict", "met")
	w.do("record the presumption", chromedp.Submit(chromedp.CSS(`form[action$="/presume"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+personPage+`/screening"]`))) // back on the person's page
	got, err := f.cfg.Persons.Person(flare.WithActor(context.Background(), flare.Actor{Console: true}), worker.ID)
	if err != nil || got.VictimStatus == nil || got.VictimStatus.Presumed == nil {
		t.Fatalf("the worker is not presumed: %+v, %v", got, err)
	}

	// The claim: the law, two months of work, the employer; then an award.
	w.open(personPage, "main h1")
	w.do("open the claim form", chromedp.Click(chromedp.CSS(`a[href="`+personPage+`/claims/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#currency")))
	w.fits()
	w.do("fill the claim",
		chromedp.SendKeys(chromedp.CSS("#currency"), "KES"),
		chromedp.SendKeys(chromedp.CSS("#minimum_wages"), "2026-01-01 100"),
		chromedp.SetValue(chromedp.CSS("#as_of"), "2026-11-01"),
		chromedp.SendKeys(chromedp.CSS("#periods"), "2026-01-01,2026-01-31,260,12000\n2026-02-01,2026-02-28,240,0,,,yes"),
		chromedp.Click(chromedp.CSS(`input[value="organisation:`+employer.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS("#ledger")))
	w.fits()
	w.contains(".statement", "KES")
	w.do("record the award",
		chromedp.SetValue(chromedp.CSS("#kind"), "awarded"),
		chromedp.SendKeys(chromedp.CSS("#amount"), "30000"),
		chromedp.SetValue(chromedp.CSS("#basis"), "judgment"),
		chromedp.SendKeys(chromedp.CSS("#reference"), "Employment court 2026/31"),
		chromedp.Submit(chromedp.CSS("#reference")),
		chromedp.WaitVisible(chromedp.CSS("#ledger table")))
	w.contains("#ledger", "30000.00")
	w.contains("#ledger", "Employment court 2026/31")
}

// screenshotWork adds a worker with a screening and a wage claim to the
// fixture, and returns the pages about them to photograph.
func screenshotWork(t *testing.T, f *staffFixture) map[string]string {
	t.Helper()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	worker, employer := claimFixture(t, f)
	a := &flare.Assessment{PersonID: worker.ID, Input: storetest.MetScreening("shot"), Interpreter: "Swahili"}
	if err := f.cfg.Assessments.Screen(console, a); err != nil {
		t.Fatal(err)
	}
	c := &flare.WageClaim{PersonID: worker.ID, Document: []byte(storetest.ClaimDocument("shot")),
		Offenders: []flare.ClaimOffender{{Type: "organisation", ID: employer.ID}}}
	if err := f.cfg.Claims.CreateClaim(console, c); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"person": "/persons/" + worker.ID, "screening": "/persons/" + worker.ID + "/screening",
		"assessment": "/assessments/" + a.ID, "claim_form": "/persons/" + worker.ID + "/claims/new", "claim": "/claims/" + c.ID,
		"fund": "/fund", "matches": "/persons/" + worker.ID + "/matches", "statistics": "/statistics?from=2026-01-01&to=2026-12-31"}
}
