package http

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// portalFixture is the staff fixture with the report service and the
// portal configured.
type portalFixture struct {
	*staffFixture
	reports *sqlstore.ReportService
	dbURL   string
}

func newPortalFixture(t *testing.T, backend string) *portalFixture {
	t.Helper()
	dbURL := storetest.NewURL(t, backend)
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	f := newStaffFixtureOn(t, db)
	svc := sqlstore.NewReportService(db, f.keys, storetest.FastParams)
	f.cfg.Reports = svc
	f.cfg.Portal = PortalConfig{EmergencyNumbers: []EmergencyNumber{{Label: "Police", Number: "190"}}, OnionLocation: "http://flareexample.onion"}
	f.portal = newPortal(&f.cfg.Portal)
	f.portal.codes.now = f.clock.Now
	f.portal.submit.now = f.clock.Now
	f.handler = f.middleware(f.routes())
	return &portalFixture{staffFixture: f, reports: svc, dbURL: dbURL}
}

var (
	tokenPattern   = regexp.MustCompile(`name="token" value="([0-9a-f]+)"`)
	receiptPattern = regexp.MustCompile(`<strong id="receipt">([0-9 ]+)</strong>`)
)

// formToken opens the form and returns its idempotency token.
func formToken(t *testing.T, b *browser) string {
	t.Helper()
	res, page := b.do("GET", "/report", nil)
	m := tokenPattern.FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("form = %d: %.300s", res.StatusCode, page)
	}
	return m[1]
}

func reportValues(token, marker string) url.Values {
	return url.Values{"token": {token}, "danger": {"yes"}, "text": {"We cannot leave the farm " + marker},
		"country": {"Atlantis"}, "region": {"North"}, "sector": {"agriculture"}, "people": {"7"},
		"sign": {"locked_in", "documents_taken"}, "relationship": {"worker"}}
}

// submitReport sends the form and returns the receipt shown.
func submitReport(t *testing.T, b *browser, form url.Values) string {
	t.Helper()
	res, page := b.do("POST", "/report", form)
	m := receiptPattern.FindStringSubmatch(page)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("submit = %d: %.1000s", res.StatusCode, page)
	}
	return m[1]
}

func TestPortalSubmitAndFollowUp(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			b := f.browser(t)
			receipt := submitReport(t, b, reportValues(formToken(t, b), "m1"))
			if !regexp.MustCompile(`^\d{4} \d{4} \d{4} \d{4}$`).MatchString(receipt) {
				t.Fatalf("receipt %q is not grouped 4-4-4-4", receipt)
			}
			// The receipt page shows the emergency numbers first when
			// someone is in danger.
			_, page := b.do("POST", "/report", reportValues(formToken(t, b), "m2"))
			if i, j := strings.Index(page, `href="tel:190"`), strings.Index(page, `id="receipt"`); i < 0 || i > j {
				t.Errorf("emergency numbers not before the receipt")
			}
			res, page := b.do("POST", "/report/check", url.Values{"code": {receipt}})
			if res.StatusCode != 200 || !strings.Contains(page, "Received") {
				t.Fatalf("check = %d: %.500s", res.StatusCode, page)
			}
			intake := f.signedIn(t, f.agency, flare.RoleIntake)
			if _, home := intake.do("GET", "/app", nil); !strings.Contains(home, `href="/intake"`) {
				t.Errorf("the staff home of an intake officer has no link to the queue")
			}
			res, page = intake.do("GET", "/intake", nil)
			if res.StatusCode != 200 || strings.Count(page, `href="/intake/`) != 2 {
				t.Fatalf("queue = %d: %.800s", res.StatusCode, page)
			}
			id := regexp.MustCompile(`href="/intake/([0-9a-f-]{36})"`).FindStringSubmatch(page)[1]
			if res, js := intake.do("GET", "/api/v1/reports", nil); res.StatusCode != 200 || strings.Count(js, `"channel":"web"`) != 2 {
				t.Fatalf("GET /api/v1/reports = %d %.300s", res.StatusCode, js)
			}
			if res, js := intake.do("GET", "/api/v1/reports/"+id, nil); res.StatusCode != 200 || !strings.Contains(js, `"messages":[]`) {
				t.Fatalf("GET /api/v1/reports/{id} = %d %.300s", res.StatusCode, js)
			}
			res, page = intake.do("GET", "/intake/"+id, nil)
			if res.StatusCode != 200 || !strings.Contains(page, "We cannot leave the farm m1") {
				t.Fatalf("report page = %d: %.500s", res.StatusCode, page)
			}
			res, _ = intake.do("POST", "/intake/"+id+"/reply", url.Values{"body": {"We have seen your message."}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("reply = %d", res.StatusCode)
			}
			res, page = b.do("POST", "/report/check", url.Values{"code": {receipt}, "body": {"Thank you, they moved us."}})
			if res.StatusCode != 200 || !strings.Contains(page, "We have seen your message.") ||
				!strings.Contains(page, "Thank you, they moved us.") || !strings.Contains(page, "Someone is looking at it") {
				t.Fatalf("check after reply = %d: %.1500s", res.StatusCode, page)
			}
			res, page = intake.do("POST", "/intake/"+id+"/case", url.Values{"reference": {"LI-99"}, "title": {"Farm North"}})
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/cases/") {
				t.Fatalf("open case = %d %s: %.300s", res.StatusCode, res.Header.Get("Location"), page)
			}
			// The case shows the report it came from.
			if _, page := intake.do("GET", res.Header.Get("Location"), nil); !strings.Contains(page, `href="/intake/`+id+`"`) {
				t.Fatal("the new case does not show the report it came from")
			}
			// An inspector has no intake queue.
			insp := f.signedIn(t, f.agency, flare.RoleInspector)
			if res, _ := insp.do("GET", "/intake", nil); res.StatusCode != http.StatusForbidden {
				t.Fatalf("inspector queue = %d", res.StatusCode)
			}
		})
	}
}

// TestPortalHeaders is the header table of every portal route (R-IN2):
// no cookie but the language one, no caching, no referrer, no framing.
func TestPortalHeaders(t *testing.T) {
	f := newPortalFixture(t, "sqlite")
	tok := newFormToken()
	routes := []struct {
		method, path string
		form         url.Values
		cookieOK     bool
	}{
		{"GET", "/report", nil, false},
		{"GET", "/report?lang=ar", nil, true},
		{"POST", "/report", reportValues(tok, "h"), false},
		{"POST", "/report", url.Values{"token": {tok}}, false},
		{"GET", "/report/check", nil, false},
		{"POST", "/report/check", url.Values{"code": {"1234"}}, false},
		{"GET", "/report/rights", nil, false},
	}
	want := map[string]string{
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "no-referrer",
		"X-Content-Type-Options": "nosniff",
		"Onion-Location":         "http://flareexample.onion/report",
	}
	for _, rt := range routes {
		b := f.browser(t)
		res, _ := b.do(rt.method, rt.path, rt.form)
		for h, v := range want {
			if got := res.Header.Get(h); !strings.HasPrefix(got, v) {
				t.Errorf("%s %s: %s = %q, want %q", rt.method, rt.path, h, got, v)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s %s: CSP %q", rt.method, rt.path, csp)
		}
		pp := res.Header.Get("Permissions-Policy")
		for _, feat := range []string{"camera=()", "microphone=()", "geolocation=()"} {
			if !strings.Contains(pp, feat) {
				t.Errorf("%s %s: Permissions-Policy %q lacks %s", rt.method, rt.path, pp, feat)
			}
		}
		for _, c := range res.Cookies() {
			if c.Name != html.LangCookie || !rt.cookieOK {
				t.Errorf("%s %s sets cookie %q", rt.method, rt.path, c.Name)
			}
		}
	}
}

// TestPortalStoresNoAddress: after a submission and a follow-up, neither
// the database nor the server's log holds the client address or user agent
// (R-IN1), and the report's text is sealed.
func TestPortalStoresNoAddress(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			const addr, fwd, ua, marker = "127.83.201.77", "198.51.100.231", "MarkerAgent/9.31 (R-IN1)", "TEXTMARKER-41d2"
			do := func(method, path string, form url.Values) string {
				req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("User-Agent", ua)
				req.Header.Set("X-Forwarded-For", fwd)
				req.Header.Set("X-Real-Ip", fwd)
				req.RemoteAddr = addr + ":40123"
				rec := httptest.NewRecorder()
				f.Handler().ServeHTTP(rec, req)
				return rec.Body.String()
			}
			page := do("GET", "/report", nil)
			tok := tokenPattern.FindStringSubmatch(page)[1]
			page = do("POST", "/report", reportValues(tok, marker))
			receipt := receiptPattern.FindStringSubmatch(page)[1]
			do("POST", "/report/check", url.Values{"code": {receipt}, "body": {"more " + marker}})
			do("POST", "/report/check", url.Values{"code": {"0000 0000 0000 0000"}})
			dump := dumpDatabase(t, f.dbURL)
			logs := f.log.String()
			if !strings.Contains(logs, `"path":"/report"`) {
				t.Fatalf("the test saw no access log: %.300s", logs)
			}
			for _, needle := range []string{addr, fwd, ua, "MarkerAgent", marker, receipt, strings.ReplaceAll(receipt, " ", "")} {
				if strings.Contains(dump, needle) {
					t.Errorf("the database holds %q", needle)
				}
				if strings.Contains(logs, needle) {
					t.Errorf("the log holds %q", needle)
				}
			}
		})
	}
}

// dumpDatabase renders every table as text, plus the SQLite files.
func dumpDatabase(t *testing.T, dbURL string) string {
	t.Helper()
	raw := storetest.RawDB(t, dbURL)
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if storetest.BackendOf(dbURL) == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	tables := queryStrings(t, raw, q)
	var b strings.Builder
	for _, tb := range tables {
		rows, err := raw.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					b.Write(bs)
				} else {
					fmt.Fprint(&b, v)
				}
				b.WriteByte('|')
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	if storetest.BackendOf(dbURL) == "sqlite" {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		for _, p := range []string{path, path + "-wal"} {
			if bs, err := os.ReadFile(p); err == nil {
				b.Write(bs)
			}
		}
	}
	return b.String()
}

func queryStrings(t *testing.T, raw *sql.DB, q string) []string {
	t.Helper()
	rows, err := raw.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// TestPortalCodeGuessing: the 6th wrong code from one address within the
// window gets 429, and so does a right code after it until the window
// passes (R-IN4). Another address is not affected.
func TestPortalCodeGuessing(t *testing.T) {
	f := newPortalFixture(t, "sqlite")
	b := f.browser(t)
	receipt := submitReport(t, b, reportValues(formToken(t, b), "g"))
	for i := 1; i <= 5; i++ {
		res, page := b.do("POST", "/report/check", url.Values{"code": {fmt.Sprintf("1111 2222 3333 %04d", i)}})
		if res.StatusCode != http.StatusNotFound || !strings.Contains(page, "not recognised") {
			t.Fatalf("wrong code %d = %d", i, res.StatusCode)
		}
	}
	res, page := b.do("POST", "/report/check", url.Values{"code": {"1111 2222 3333 0006"}})
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(page, "wait 15 minutes") {
		t.Fatalf("6th wrong code = %d", res.StatusCode)
	}
	if res, _ := b.do("POST", "/report/check", url.Values{"code": {receipt}}); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code while blocked = %d, want 429", res.StatusCode)
	}
	other := f.browser(t)
	other.remote = "192.0.2.99:4000"
	if res, _ := other.do("POST", "/report/check", url.Values{"code": {receipt}}); res.StatusCode != http.StatusOK {
		t.Fatalf("right code from another address = %d", res.StatusCode)
	}
	f.clock.Add(3*time.Minute + time.Second)
	if res, _ := b.do("POST", "/report/check", url.Values{"code": {receipt}}); res.StatusCode != http.StatusOK {
		t.Fatalf("right code after the window = %d", res.StatusCode)
	}
}

// TestPortalDoubleSubmit: 20 parallel posts of one form make one report
// and show one receipt (R-IN6).
func TestPortalDoubleSubmit(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			f.portal.submit = newLimiter(RateLimit{Every: time.Millisecond, Burst: 100})
			b := f.browser(t)
			form := reportValues(formToken(t, b), "twice")
			receipts := make([]string, 20)
			var wg sync.WaitGroup
			for i := range receipts {
				wg.Go(func() {
					req := httptest.NewRequest("POST", "/report", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					rec := httptest.NewRecorder()
					f.Handler().ServeHTTP(rec, req)
					if m := receiptPattern.FindStringSubmatch(rec.Body.String()); m != nil {
						receipts[i] = m[1]
					}
				})
			}
			wg.Wait()
			for i, r := range receipts {
				if r == "" || r != receipts[0] {
					t.Fatalf("post %d showed receipt %q, first %q", i, r, receipts[0])
				}
			}
			if n := len(queryStrings(t, storetest.RawDB(t, f.dbURL), "SELECT id FROM reports")); n != 1 {
				t.Fatalf("%d reports, want 1", n)
			}
		})
	}
}

// jpegWithGPS returns a small JPEG carrying an EXIF block with a GPS tag.
func jpegWithGPS(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := range 16 {
		img.Set(x, x, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	// APP1 "Exif\0\0" with a little-endian TIFF header and a GPS IFD
	// pointer tag (0x8825), plus a recognisable marker.
	payload := []byte("Exif\x00\x00II*\x00\x08\x00\x00\x00\x01\x00\x25\x88\x04\x00\x01\x00\x00\x00\x1a\x00\x00\x00\x00\x00\x00\x00GPS-MARKER-48.8584N")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), seg...), b[2:]...)
}

func multipartReport(t testing.TB, form url.Values, files ...[]byte) (string, *bytes.Buffer) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for i, f := range files {
		w, _ := mw.CreateFormFile("attachment", fmt.Sprintf("photo-%d.jpg", i))
		w.Write(f)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

// TestPortalUploads: images are re-encoded so EXIF and GPS are gone;
// wrong types and oversized files are refused with a clear message and
// nothing stored (R-IH2).
func TestPortalUploads(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			f.portal.submit = newLimiter(RateLimit{Every: time.Millisecond, Burst: 100})
			post := func(files ...[]byte) (*http.Response, string) {
				ct, body := multipartReport(t, reportValues(newFormToken(), "up"), files...)
				req := httptest.NewRequest("POST", "/report", body)
				req.Header.Set("Content-Type", ct)
				rec := httptest.NewRecorder()
				f.Handler().ServeHTTP(rec, req)
				return rec.Result(), rec.Body.String()
			}
			raw := storetest.RawDB(t, f.dbURL)
			rows := func() int {
				return len(queryStrings(t, raw, "SELECT id FROM reports")) + len(queryStrings(t, raw, "SELECT id FROM report_attachments"))
			}
			for name, file := range map[string][]byte{
				"html":     []byte("<html><script>alert(1)</script></html>"),
				"gif":      []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
				"exe":      append([]byte("MZ"), make([]byte, 100)...),
				"too big":  append([]byte("%PDF-1.4\n"), make([]byte, sqlstore.MaxAttachmentBytes)...),
				"bad jpeg": []byte("\xff\xd8\xff\xe0 not really a jpeg"),
			} {
				res, page := post(jpegWithGPS(t), file)
				if res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "Nothing was saved") {
					t.Errorf("%s: %d: %.300s", name, res.StatusCode, page)
				}
			}
			if n := rows(); n != 0 {
				t.Fatalf("refused uploads left %d rows", n)
			}
			res, page := post(jpegWithGPS(t), []byte("%PDF-1.4\n%%EOF\n"))
			if res.StatusCode != 200 || !receiptPattern.MatchString(page) {
				t.Fatalf("good upload = %d: %.500s", res.StatusCode, page)
			}
			reports, err := f.reports.Reports(flare.WithActor(context.Background(), flare.Actor{Console: true}), flare.ReportFilter{})
			if err != nil || len(reports) != 1 {
				t.Fatal(err)
			}
			intake := f.signedIn(t, f.agency, flare.RoleIntake)
			r, _, _ := f.reports.Report(flare.WithActor(context.Background(), flare.Actor{Console: true}), reports[0].ID)
			if len(r.Attachments) != 2 {
				t.Fatalf("%d attachments", len(r.Attachments))
			}
			for _, a := range r.Attachments {
				res, data := intake.do("GET", "/intake/"+r.ID+"/attachments/"+a.ID, nil)
				cd := res.Header.Get("Content-Disposition")
				if res.StatusCode != 200 || !strings.HasPrefix(cd, `attachment; filename="attachment-`) || strings.Contains(cd, "photo") {
					t.Fatalf("download = %d %q", res.StatusCode, cd)
				}
				if a.ContentType == "image/jpeg" {
					if strings.Contains(data, "Exif") || strings.Contains(data, "GPS-MARKER") {
						t.Error("the stored JPEG still holds its EXIF block")
					}
					if _, err := jpeg.Decode(strings.NewReader(data)); err != nil {
						t.Errorf("stored JPEG: %v", err)
					}
				}
			}
			if strings.Contains(dumpDatabase(t, f.dbURL), "GPS-MARKER") {
				t.Error("the database holds the GPS marker")
			}
		})
	}
}

// TestPartnerAPI: a partner's report enters the queue marked with its
// channel; an unknown key is refused; a retry with the same
// Idempotency-Key returns the same receipt.
func TestPartnerAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			p, key, err := f.reports.CreatePartner(console, "Farmworkers' Union")
			if err != nil {
				t.Fatal(err)
			}
			post := func(key, idem, body string) (*http.Response, string) {
				req := httptest.NewRequest("POST", "/api/v1/reports", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if key != "" {
					req.Header.Set("Authorization", "Bearer "+key)
				}
				if idem != "" {
					req.Header.Set("Idempotency-Key", idem)
				}
				rec := httptest.NewRecorder()
				f.Handler().ServeHTTP(rec, req)
				return rec.Result(), rec.Body.String()
			}
			body := `{"text":"Called our hotline: 30 workers locked in","region":"East","sector":"fishing","people":30,"danger":true,"signs":["locked_in"]}`
			if res, _ := post("", "", body); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("no key = %d", res.StatusCode)
			}
			if res, _ := post(key+"x", "", body); res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("wrong key = %d", res.StatusCode)
			}
			if res, page := post(key, "", `{"text":"x","colour":"red"}`); res.StatusCode != http.StatusBadRequest || !strings.Contains(page, "colour") {
				t.Fatalf("unknown field = %d %s", res.StatusCode, page)
			}
			res, page := post(key, "call-1", body)
			if res.StatusCode != http.StatusCreated || !strings.Contains(page, `"channel":"partner"`) {
				t.Fatalf("partner report = %d %s", res.StatusCode, page)
			}
			_, again := post(key, "call-1", body)
			if again != page {
				t.Fatalf("retry = %s, first %s", again, page)
			}
			q, err := f.reports.Reports(console, flare.ReportFilter{})
			if err != nil || len(q) != 1 || q[0].Channel != flare.ChannelPartner || q[0].PartnerID != p.ID {
				t.Fatalf("queue = %+v %v", q, err)
			}
		})
	}
}
