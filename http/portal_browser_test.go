package http

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/flare-ilo/flare"
)

// TestBrowserPortal walks a reporter through the portal in headless
// Chromium with JavaScript off (R-IN7), in English and in Arabic
// (dir=rtl): submit, keep the code, come back with it, read the officer's
// reply, send a message, and mistype a code. After every step the title is
// the neutral one and the history holds only neutral addresses (R-IN8); no
// request leaves the server's origin (R-IN3).
func TestBrowserPortal(t *testing.T) {
	f := newPortalFixture(t, "sqlite")
	ts := httptest.NewServer(f.Handler())
	defer ts.Close()
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	catalog := f.cfg.Renderer.Catalog()
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})

	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			wantTitle := catalog.T(lang, "portal.title") + " · Flare"
			var receipt string
			// neutral checks the title and the whole history after a step.
			neutral := func(step string) {
				t.Helper()
				title, err := chromedp.Run(ctx, chromedp.Title())
				if err != nil || title != wantTitle {
					t.Errorf("%s: title %q, want %q (%v)", step, title, wantTitle, err)
				}
				hist, err := chromedp.Call(ctx, page.GetNavigationHistory, cdp.Empty{})
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range hist.Entries {
					if e.URL == "about:blank" {
						continue
					}
					u, err := url.Parse(e.URL)
					if err != nil || (u.Path != "/report" && u.Path != "/report/check") || (receipt != "" && strings.Contains(e.URL, strings.ReplaceAll(receipt, " ", ""))) {
						t.Errorf("%s: history holds %q", step, e.URL)
					}
					if e.Title != "" && e.Title != wantTitle && !strings.HasSuffix(e.Title, " · Flare") {
						t.Errorf("%s: history title %q", step, e.Title)
					}
				}
			}
			err := chromedp.Do(ctx,
				chromedp.Navigate(ts.URL+"/report?lang="+lang),
				chromedp.WaitVisible(chromedp.CSS("#text")),
			)
			if err != nil {
				t.Fatal(err)
			}
			dir, _ := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "dir"))
			if want := map[string]string{"en": "ltr", "ar": "rtl"}[lang]; dir.Value != want {
				t.Errorf("dir = %q, want %q", dir.Value, want)
			}
			neutral("form")
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`input[name="danger"][value="yes"]`)),
				chromedp.SendKeys(chromedp.CSS("#text"), "They keep our passports "+lang),
				chromedp.SendKeys(chromedp.CSS("#region"), "North"),
				chromedp.Click(chromedp.CSS(`input[value="documents_taken"]`)),
				chromedp.Submit(chromedp.CSS("#text")),
				chromedp.WaitVisible(chromedp.CSS("#receipt")),
			)
			if err != nil {
				t.Fatalf("submit: %v", err)
			}
			if receipt, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#receipt"))); err != nil || len(strings.ReplaceAll(receipt, " ", "")) != 16 {
				t.Fatalf("receipt %q: %v", receipt, err)
			}
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/report") {
				t.Errorf("after submit the address is %q", loc)
			}
			if emergency, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".emergency"))); !strings.Contains(emergency, "190") {
				t.Errorf("no emergency numbers after a danger report: %q", emergency)
			}
			neutral("receipt")

			// The officer replies.
			q, err := f.reports.Reports(console, flare.ReportFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range q {
				if strings.HasSuffix(r.Text, lang) {
					if err := f.reports.ReplyToReporter(console, r.ID, "Reply for "+lang); err != nil {
						t.Fatal(err)
					}
				}
			}
			err = chromedp.Do(ctx,
				chromedp.Navigate(ts.URL+"/report/check"),
				chromedp.WaitVisible(chromedp.CSS("#code")),
				chromedp.SendKeys(chromedp.CSS("#code"), receipt),
				chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS(".report-status")),
			)
			if err != nil {
				t.Fatalf("come back with the code: %v", err)
			}
			msgs, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol.messages")))
			if !strings.Contains(msgs, "Reply for "+lang) {
				t.Errorf("the reply is not shown: %q", msgs)
			}
			neutral("status")
			err = chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.CSS("#body"), "Thank you "+lang),
				chromedp.Submit(chromedp.CSS("#body")),
				chromedp.WaitVisible(chromedp.CSS(`p.notice[role="status"]`)),
			)
			if err != nil {
				t.Fatalf("send a message: %v", err)
			}
			msgs, _ = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("ol.messages")))
			if !strings.Contains(msgs, "Thank you "+lang) {
				t.Errorf("the message is not shown: %q", msgs)
			}
			neutral("message")
			err = chromedp.Do(ctx,
				chromedp.Navigate(ts.URL+"/report/check"),
				chromedp.WaitVisible(chromedp.CSS("#code")),
				chromedp.SendKeys(chromedp.CSS("#code"), "0000 1111 2222 3333"),
				chromedp.Submit(chromedp.CSS("#code")),
				chromedp.WaitVisible(chromedp.CSS(`p.error[role="alert"]`)),
			)
			if err != nil {
				t.Fatalf("wrong code: %v", err)
			}
			msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`p.error[role="alert"]`)))
			if msg != catalog.T(lang, "portal.error.code") {
				t.Errorf("wrong code message %q", msg)
			}
			neutral("wrong code")
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(requests) < 8 {
		t.Fatalf("recorded only %d requests: the recording does not work", len(requests))
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, ts.URL+"/") && u != "about:blank" {
			t.Errorf("request to another origin: %s", u)
		}
	}
}
