package http

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
)

// TestBrowserCasework walks the main casework path in headless Chromium at
// phone width (390 px) on both databases (issue #5, "a browser test of the
// main path at phone width"): an inspector opens a case, adds a person, an
// organisation and a worksite, adds a task, finds the case again by free
// text and by the person's name, and closes it with a reason. Every page
// on the way must fit the phone's width.
func TestBrowserCasework(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testBrowserCasework(t, backend) })
	}
}

func testBrowserCasework(t *testing.T, backend string) {
	f := newStaffFixture(t, backend)
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	w := &phone{t: t, ctx: ctx, base: ts.URL}

	// Signed in as an inspector of the agency that owns the case: the
	// sign-in pages have their own browser test, so the session cookie is
	// set directly.
	inspector := f.signedIn(t, f.agency, flare.RoleInspector)
	// Headless Chromium will not make a window narrower than 500 px:
	// the viewport is emulated at the phone's size instead.
	w.do("set the session cookie", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+SessionCookie+`=`+inspector.cookies[SessionCookie].Value+`; path=/"`))

	// Open the case from the case list.
	w.open("/cases", ".case-list")
	w.do("open the case", chromedp.Click(chromedp.CSS(`a[href="/cases/`+f.ownCase.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS("main h1")))
	w.contains("main h1", "Garment workshop")
	casePage := "/cases/" + f.ownCase.ID

	w.addPerson(casePage)

	// An organisation: the employer.
	w.open(casePage, "main h1")
	w.do("go to the new organisation form", chromedp.Click(chromedp.CSS(`a[href="`+casePage+`/organisations/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")))
	w.do("fill the organisation",
		chromedp.SetValue(chromedp.CSS("#type"), "employer"),
		chromedp.SendKeys(chromedp.CSS("#name"), "Kessel Garments Ltd"),
		chromedp.SendKeys(chromedp.CSS("#city"), "Kessel"),
		chromedp.SendKeys(chromedp.CSS("#country"), "FR"),
		chromedp.Submit(chromedp.CSS("#name")),
		chromedp.WaitVisible(chromedp.CSS("#parties")))
	w.fits()
	w.contains("#parties", "Kessel Garments Ltd")

	// A worksite in garment manufacturing (ISIC C 14), run by it.
	w.do("go to the new worksite form", chromedp.Click(chromedp.CSS(`a[href="`+casePage+`/worksites/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#name")))
	w.fits()
	w.do("fill the worksite",
		chromedp.SendKeys(chromedp.CSS("#name"), "Sewing unit behind the market"),
		chromedp.SetValue(chromedp.CSS("#sector"), "C/14"),
		chromedp.SendKeys(chromedp.CSS("#street"), "12 Market Street"),
		chromedp.SendKeys(chromedp.CSS("#city"), "Kessel"),
		chromedp.Submit(chromedp.CSS("#name")),
		chromedp.WaitVisible(chromedp.CSS("#parties")))
	w.contains("#parties", "Sewing unit behind the market")

	w.addTask(casePage)

	// Find the case again: by free text (the organisation's name, through
	// the full-text index) and by the person's name (blind index).
	for _, q := range []struct{ field, value string }{{"#f-q", "kessel garm"}, {"#f-name", "Aminata Diallo"}} {
		w.open("/cases", "form.filters")
		// Wait for the results page itself: right after the submit the
		// old page can still answer, and its nodes vanish mid-read.
		w.do("search "+q.field, chromedp.SendKeys(chromedp.CSS(q.field), q.value), chromedp.Submit(chromedp.CSS(q.field)),
			chromedp.WaitVisible(chromedp.CSS(`input[value="`+q.value+`"]`)), chromedp.WaitVisible(chromedp.CSS(".case-list")))
		w.fits()
		w.contains(".case-list", "Garment workshop")
	}

	w.closeCase(casePage)
}

// phone drives one browser tab at phone width.
type phone struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (p *phone) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, steps...); err != nil {
		html, _ := chromedp.Run(p.ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Fatalf("%s: %v (at %s)\n%.2000s", what, err, loc, html)
	}
}

// open loads path and waits for sel.
func (p *phone) open(path, sel string) {
	p.t.Helper()
	p.do("open "+path, chromedp.Navigate(p.base+path), chromedp.WaitVisible(chromedp.CSS(sel)))
	p.fits()
}

// contains fails unless the text of sel holds want.
func (p *phone) contains(sel, want string) {
	p.t.Helper()
	got, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil || !strings.Contains(got, want) {
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Fatalf("%s at %s: %q lacks %q (%v)", sel, loc, got, want, err)
	}
}

// fits fails when the page is wider than the phone: nothing may need
// scrolling sideways at 390 px.
func (p *phone) fits() {
	p.t.Helper()
	width, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		p.t.Fatal(err)
	}
	if width > 390 {
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		p.t.Errorf("%s is %d px wide, more than the phone's 390", loc, width)
	}
}

// addPerson adds Aminata Diallo, a presumed victim, from the case page.
func (p *phone) addPerson(casePage string) {
	p.t.Helper()
	p.open(casePage, "main h1")
	p.do("go to the new person form", chromedp.Click(chromedp.CSS(`a[href="`+casePage+`/persons/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#first_name")))
	p.fits()
	p.do("fill the person",
		chromedp.SetValue(chromedp.CSS("#role"), string(flare.RolePresumedVictim)),
		chromedp.SendKeys(chromedp.CSS("#first_name"), "Aminata"),
		chromedp.SendKeys(chromedp.CSS("#second_name"), "Diallo"),
		chromedp.Submit(chromedp.CSS("#first_name")),
		// The save lands on the person's page, which has an edit link.
		chromedp.WaitVisible(chromedp.CSS(`main a[href^="/persons/"][href$="/edit"]`)))
	p.open(casePage, "main h1")
	p.contains("main", "Aminata")
}

// addTask adds a task due in a week from the case page.
func (p *phone) addTask(casePage string) {
	p.t.Helper()
	p.open(casePage, "main h1")
	p.do("fill the task", chromedp.Click(chromedp.CSS("#tasks details.add summary")),
		chromedp.SendKeys(chromedp.CSS("#task-title"), "Interview the workers with an interpreter"),
		chromedp.SetValue(chromedp.CSS("#task-due"), "2026-12-04"),
		chromedp.Submit(chromedp.CSS("#task-title")),
		chromedp.WaitVisible(chromedp.CSS(`li[id^="task-"]`))) // the saved task, on the case page
	p.open(casePage, "main h1")
	p.contains("main", "Interview the workers with an interpreter")
}

// closeCase closes the case from its page with a reason.
func (p *phone) closeCase(casePage string) {
	p.t.Helper()
	p.open(casePage, "main h1")
	p.do("close the case",
		chromedp.SetValue(chromedp.CSS("#work-status"), string(flare.CaseClosed)),
		chromedp.SetValue(chromedp.CSS("#work-closure"), string(flare.ClosureResolved)),
		chromedp.Submit(chromedp.CSS("#work-status")),
		// Only a closed case shows its closure reason: waiting for it
		// waits for the save, which a navigation now would abort.
		chromedp.WaitVisible(chromedp.CSS("#closure-reason")))
	p.open(casePage, "main h1")
	p.contains("dl.facts", "Closed")
	p.contains("dl.facts", "Resolved")
}
