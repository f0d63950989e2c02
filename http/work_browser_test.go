package http

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
)

// TestBrowserWork walks the work section of a case page in headless
// Chromium at phone width (390 px): add a note, correct it, upload a
// document, add a task and mark it done, and read the timeline; every page
// must fit the phone. The pages carry no script: what works here works
// with JavaScript off.
func TestBrowserWork(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	w := &phone{t: t, ctx: ctx, base: ts.URL}
	inspector := f.signedIn(t, f.agency, flare.RoleInspector)
	w.do("set the session cookie", chromedp.EmulateViewport(390, 844), chromedp.Navigate(ts.URL+"/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+SessionCookie+`=`+inspector.cookies[SessionCookie].Value+`; path=/"`))
	casePage := "/cases/" + f.ownCase.ID

	// A note, then a correction of it from its own page.
	w.open(casePage, "#notes")
	w.do("add a note", chromedp.Click(chromedp.CSS("#notes details.add summary")),
		chromedp.SendKeys(chromedp.CSS("#note-text"), "The foreman keeps the passports in a safe."),
		chromedp.Submit(chromedp.CSS("#note-text")), chromedp.WaitVisible(chromedp.CSS("#notes ul.notes")))
	w.contains("#notes", "keeps the passports in a safe")
	w.do("open the correction form", chromedp.Click(chromedp.CSS(`#notes a[href*="notes/new?corrects="]`)),
		chromedp.WaitVisible(chromedp.CSS("#note-text")))
	w.fits()
	w.do("correct the note", chromedp.SendKeys(chromedp.CSS("#note-text"), "Correction: the manager, not the foreman."),
		chromedp.Submit(chromedp.CSS("#note-text")), chromedp.WaitVisible(chromedp.CSS("#notes .corrected")))
	w.contains("#notes", "Corrected by a later note")

	// A document, from a file on disk.
	file := filepath.Join(t.TempDir(), "pay slip.txt")
	if err := os.WriteFile(file, []byte("Wage: 0. Deductions: recruitment fee."), 0o600); err != nil {
		t.Fatal(err)
	}
	w.open(casePage, "#documents")
	w.do("upload a document", chromedp.Click(chromedp.CSS("#documents details.add summary")),
		chromedp.SetUploadFiles(chromedp.CSS("#document-file"), []string{file}),
		chromedp.SendKeys(chromedp.CSS("#document-description"), "March"),
		chromedp.Submit(chromedp.CSS("#document-description")), chromedp.WaitVisible(chromedp.CSS("#documents ul.documents")))
	w.contains("#documents", "pay slip.txt")

	// A task, marked done from the list.
	w.do("add a task", chromedp.Click(chromedp.CSS("#tasks details.add summary")),
		chromedp.SendKeys(chromedp.CSS("#task-title"), "Ask the bank for the pay records"),
		chromedp.Submit(chromedp.CSS("#task-title")), chromedp.WaitVisible(chromedp.CSS("#tasks ul.tasks")))
	w.do("mark it done", chromedp.Click(chromedp.CSS("#tasks ul.tasks button")), chromedp.WaitVisible(chromedp.CSS("#tasks li.done")))
	w.fits()
	w.contains("#timeline", "Task done")
	w.contains("#timeline", "Document added")

	// The whole timeline, in Arabic, right to left, still at phone width.
	w.open(casePage+"/timeline?lang=ar", "ol.timeline")
	w.contains("ol.timeline", "أُضيف مستند")
}
