package http

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
)

// EnvRequireBrowser makes a missing Chromium a test failure instead of a
// skip; CI sets it.
const EnvRequireBrowser = "FLARE_TEST_REQUIRE_BROWSER"

// newBrowser starts headless Chromium, or skips when it is not installed.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if path, err = exec.LookPath("chromium-browser"); err != nil {
			if os.Getenv(EnvRequireBrowser) == "1" {
				t.Fatalf("Chromium not found but %s=1", EnvRequireBrowser)
			}
			t.Skip("browser tests skipped: install Chromium (apt-get install chromium) to run them")
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(390, 844),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserEnrolAndSignInWithTOTP walks a new inspector through the real
// pages in headless Chromium at phone width: enrolment with a TOTP code,
// the recovery codes, then the two-step sign-in to the staff home.
func TestBrowserEnrolAndSignInWithTOTP(t *testing.T) {
	f := newStaffFixture(t, "sqlite")
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/enrol/"+f.enrolToken)); err != nil {
		t.Fatalf("open enrolment page: %v", err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("code.secret")))
	if err != nil {
		t.Fatalf("open enrolment page: %v", err)
	}
	secret = strings.TrimSpace(secret)
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), "river otter pay slip"),
		chromedp.SendKeys(chromedp.CSS("#password2"), "river otter pay slip"),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("ol.codes")),
	)
	if err != nil {
		t.Fatalf("enrol: %v", err)
	}
	codes, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol.codes")))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(codes)); n != 10 {
		t.Fatalf("enrolment showed %d recovery codes, want 10: %q", n, codes)
	}
	f.clock.Add(30 * time.Second)

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a.button")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), f.email),
		chromedp.SendKeys(chromedp.CSS("#password"), "river otter pay slip"),
		chromedp.Submit(chromedp.CSS("#password")),
		chromedp.WaitVisible(chromedp.CSS("#code")),
	)
	if err != nil {
		t.Fatalf("password step: %v", err)
	}
	code, _ = auth.TOTPCode(secret, f.clock.Now())
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Submit(chromedp.CSS("#code")),
		// The staff menu exists only once signed in, so this waits for
		// the new page rather than finding the old one's heading.
		chromedp.WaitVisible(chromedp.CSS("nav.staff-nav")),
	)
	if err != nil {
		t.Fatalf("code step: %v", err)
	}
	heading, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	location, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.HasSuffix(location, "/app") || heading != "Your work" {
		t.Fatalf("after sign-in: %s %q, want the staff home", location, heading)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href="/cases"]`)), chromedp.WaitVisible(chromedp.CSS(".case-list"))); err != nil {
		t.Fatalf("case list: %v", err)
	}
	cases, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".case-list")))
	if !strings.Contains(cases, "Garment workshop") || strings.Contains(cases, "Police secret case") {
		t.Fatalf("case list in the browser: %q", cases)
	}
}

// TestScreenshots saves every page at phone and desktop width in English
// and Arabic into $FLARE_SCREENSHOTS, for people to look at; it runs only
// when that variable names a directory.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("FLARE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set FLARE_SCREENSHOTS=DIR to save screenshots of the pages")
	}
	f := newPortalFixture(t, "sqlite").staffFixture
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	admin := f.signedIn(t, f.agency, flare.RoleAdmin, flare.RoleSupervisor)
	sess := admin.cookies[SessionCookie].Value
	// The page script sets a plain cookie of the same name; the server
	// reads only its value.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+SessionCookie+`=`+sess+`; path=/"`)); err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"home": "/", "signin": "/login", "enrol": "/enrol/" + f.enrolToken, "app": "/app", "users": "/admin/users", "notfound": "/nope",
		"cases": "/cases", "case": "/cases/" + f.ownCase.ID, "report": "/report", "report_check": "/report/check",
		"rights": "/report/rights", "intake": "/intake", "tasks": "/tasks"}
	for name, path := range screenshotWork(t, f) {
		pages[name] = path
	}
	for name, path := range screenshotProtection(t, f) {
		pages[name] = path
	}
	for name, path := range screenshotReferrals(t, f) {
		pages[name] = path
	}
	for name, path := range screenshotEnforcement(t, f) {
		pages[name] = path
	}
	for _, lang := range []string{"en", "ar"} {
		for _, width := range []int{390, 1280} {
			for name, path := range pages {
				sep := "?"
				if strings.Contains(path, "?") {
					sep = "&"
				}
				png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
					if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 900), chromedp.Navigate(ts.URL+path+sep+"lang="+lang)); err != nil {
						return nil, err
					}
					return chromedp.Run(ctx, chromedp.FullScreenshot(100))
				})
				if err != nil {
					t.Fatalf("%s %s %d: %v", name, lang, width, err)
				}
				file := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", name, lang, width))
				if err := os.WriteFile(file, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
