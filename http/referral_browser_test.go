package http

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
)

// TestBrowserReferral walks the referral path in headless Chromium at phone
// width on both databases (issue #6, "browser test of the referral path"):
// the inspector refers her case to the police from the case page, on a
// provision of law; the police officer finds it waiting on the referral
// page, accepts it, and lands on the case, which is now open to him.
func TestBrowserReferral(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testBrowserReferral(t, backend) })
	}
}

func testBrowserReferral(t *testing.T, backend string) {
	f := newStaffFixture(t, backend)
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	w := &phone{t: t, ctx: ctx, base: ts.URL}
	signIn := func(b *browser) {
		w.do("set the session cookie", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/"),
			chromedp.Evaluate[chromedp.Void](`document.cookie = "`+SessionCookie+`=`+b.cookies[SessionCookie].Value+`; path=/"`))
	}
	inspector := f.signedIn(t, f.agency, flare.RoleInspector)
	officer := f.signedIn(t, f.otherAgency(t), flare.RoleInvestigator)
	casePage := "/cases/" + f.ownCase.ID

	signIn(inspector)
	w.open(casePage, "#sharing")
	w.do("go to the referral form", chromedp.Click(chromedp.CSS(`a[href="`+casePage+`/referrals/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#purpose")))
	w.fits()
	w.do("fill the referral",
		chromedp.SetValue(chromedp.CSS("#to_agency_id"), f.otherCase.AgencyID),
		chromedp.SendKeys(chromedp.CSS("#purpose"), "Open a criminal investigation of the recruiter"),
		chromedp.SetValue(chromedp.CSS("#due_on"), "2026-12-04"),
		chromedp.SendKeys(chromedp.CSS("#reference"), "Anti-Trafficking Act, art. 12"),
		chromedp.Submit(chromedp.CSS("#purpose")),
		// The save lands on the case's sharing section with the referral.
		chromedp.WaitVisible(chromedp.CSS("#sharing .referral")))
	w.contains("#sharing", "Open a criminal investigation of the recruiter")
	w.contains("#sharing", "Waiting for an answer")

	signIn(officer)
	w.open("/app", `a[href="/referrals"]`)
	w.open("/referrals", "#waiting-heading")
	w.contains("main", "Open a criminal investigation of the recruiter")
	w.do("accept the referral",
		chromedp.Click(chromedp.CSS(`form[action$="/accept"] button`)),
		// Accepting opens the case itself.
		chromedp.WaitVisible(chromedp.CSS(`dl.facts`)))
	w.fits()
	w.contains("main h1", "Garment workshop")
	w.open("/referrals", "#answered-heading")
	w.contains("main", "Accepted")
}

// screenshotReferrals fills the referral pages for the screenshots: a
// police case referred to the fixture's agency, overdue and urgent, and
// the fixture's case referred to the police on a victim's consent.
func screenshotReferrals(t *testing.T, f *staffFixture) map[string]string {
	t.Helper()
	console := f.actorCtx()
	victim := f.addPersonTo(t)
	given, expires := f.clock.Now(), f.clock.Now().AddDate(0, 6, 0)
	refs := []*flare.Referral{
		{CaseID: f.otherCase.ID, ToAgencyID: f.agency.ID, Purpose: "Inspect the workshop's wage records", Urgent: true,
			DueOn: f.clock.Now().AddDate(0, 0, -2), Grant: flare.CaseGrant{Basis: flare.BasisLaw, Reference: "Labour Code, art. 8"}},
		{CaseID: f.ownCase.ID, ToAgencyID: f.otherCase.AgencyID, Purpose: "Shelter place and medical care",
			DueOn: f.clock.Now().AddDate(0, 0, 3), Grant: flare.CaseGrant{Access: flare.GrantRead, PersonIDs: []string{victim.ID},
				Basis: flare.BasisConsent, Reference: "Given orally after her rights were read", ConsentGivenOn: &given,
				ConsentLanguage: "sw", ConsentInterpreter: "Roster interpreter 12", ConsentPersonID: victim.ID,
				ConsentScope: "shelter and medical care", ExpiresOn: &expires}},
	}
	for _, r := range refs {
		if err := f.cfg.Referrals.SendReferral(console, r); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]string{"referrals": "/referrals", "referral_form": "/cases/" + f.ownCase.ID + "/referrals/new"}
}
