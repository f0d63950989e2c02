package http

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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

// syncBuffer is a log sink that tests read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	*Server
	log *syncBuffer
	db  *sqlstore.DB
}

func newTestServer(t *testing.T, backend string) *testServer {
	t.Helper()
	db := storetest.Open(t, backend)
	return newTestServerWith(t, db)
}

func newTestServerWith(t *testing.T, db *sqlstore.DB) *testServer {
	t.Helper()
	return newServerFor(t, db, slog.LevelDebug)
}

// newBenchServer is a server whose logs go nowhere, so a benchmark measures
// serving, not log formatting into a buffer.
func newBenchServer(b *testing.B, db *sqlstore.DB) *testServer {
	b.Helper()
	return newServerFor(b, db, slog.LevelError)
}

func newServerFor(t testing.TB, db *sqlstore.DB, level slog.Level) *testServer {
	t.Helper()
	catalog, err := html.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	assets, err := html.LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := html.NewRenderer(catalog, assets)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: level}))
	s, err := NewServer(Config{Logger: logger, Database: db, Renderer: renderer, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{Server: s, log: logs, db: db}
}

func (s *testServer) do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func (s *testServer) get(t *testing.T, path string) *http.Response {
	t.Helper()
	return s.do(t, httptest.NewRequest("GET", path, nil))
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHealthAndReadiness(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		s := newTestServerWith(t, db)
		if res := s.get(t, "/healthz"); res.StatusCode != 200 || !strings.Contains(body(t, res), `"ok"`) {
			t.Fatalf("/healthz = %d", res.StatusCode)
		}
		if res := s.get(t, "/readyz"); res.StatusCode != 200 || !strings.Contains(body(t, res), `"ready"`) {
			t.Fatalf("/readyz = %d", res.StatusCode)
		}
		// A database that no longer answers makes the instance unready,
		// while the process itself stays healthy.
		db.Close()
		res := s.get(t, "/readyz")
		b := body(t, res)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(b, `"unavailable"`) {
			t.Fatalf("/readyz on a closed database = %d %s, want 503", res.StatusCode, b)
		}
		if strings.Contains(b, "closed") {
			t.Errorf("/readyz leaks the driver error: %s", b)
		}
		if res := s.get(t, "/healthz"); res.StatusCode != 200 {
			t.Fatalf("/healthz on a closed database = %d, want 200", res.StatusCode)
		}
	})
}

// TestSecurityHeaders checks the headers every response must carry
// (security checklist R-IN2), on every route, found or not.
func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t, "sqlite")
	css, err := s.cfg.Renderer.Assets().URL("css/flare.css")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	}
	for _, path := range []string{"/", "/?lang=ar", "/healthz", "/readyz", "/metrics", css, "/no-such-page", "/api/v1/nothing"} {
		t.Run(path, func(t *testing.T) {
			res := s.get(t, path)
			for k, v := range want {
				if got := res.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			csp := res.Header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "frame-ancestors 'none'", "script-src 'self'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("CSP allows inline or eval: %q", csp)
			}
			pp := res.Header.Get("Permissions-Policy")
			for _, f := range []string{"camera=()", "microphone=()", "geolocation=()"} {
				if !strings.Contains(pp, f) {
					t.Errorf("Permissions-Policy %q lacks %q", pp, f)
				}
			}
			cc := res.Header.Get("Cache-Control")
			if path == css {
				if !strings.Contains(cc, "immutable") {
					t.Errorf("static asset Cache-Control = %q, want immutable", cc)
				}
			} else if cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if res.Header.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if path != "/?lang=ar" && len(res.Cookies()) > 0 {
				t.Errorf("set a cookie unasked: %v", res.Cookies())
			}
		})
	}
}

// TestCrossOriginRefused posts from a foreign origin to every route: each
// state-changing request is refused before it reaches a handler
// (security checklist R-AZ5).
func TestCrossOriginRefused(t *testing.T) {
	s := newTestServer(t, "sqlite")
	paths := []string{"/", "/healthz", "/no-such-page"}
	// Every state-changing route of routes.go, so that a new one cannot
	// be left out of this test.
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`HandleFunc\("(?:POST|PUT|PATCH|DELETE) ([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		paths = append(paths, regexp.MustCompile(`\{[^}]+\}`).ReplaceAllString(m[1], "x"))
	}
	if len(paths) < 30 {
		t.Fatalf("only %d paths found in routes.go", len(paths))
	}
	for _, path := range paths {
		for _, method := range []string{"POST", "PUT", "PATCH", "DELETE"} {
			for name, set := range map[string]func(h http.Header){
				"origin":         func(h http.Header) { h.Set("Origin", "https://attacker.example") },
				"sec-fetch-site": func(h http.Header) { h.Set("Sec-Fetch-Site", "cross-site") },
			} {
				req := httptest.NewRequest(method, path, strings.NewReader("x=1"))
				set(req.Header)
				res := s.do(t, req)
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s with foreign %s = %d, want 403", method, path, name, res.StatusCode)
				}
			}
		}
	}
	// A same-origin request passes the check and reaches the route, which
	// wants a session.
	req := httptest.NewRequest("POST", "/api/v1/cases", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if res := s.do(t, req); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("same-origin POST = %d, want 401 from the route", res.StatusCode)
	}
}

// TestAccessLogStoresNoClientIdentity sends requests with a unique
// forwarded address, user agent and query marker, then checks the log holds
// none of them (security checklist R-IN1).
func TestAccessLogStoresNoClientIdentity(t *testing.T) {
	s := newTestServer(t, "sqlite")
	const fakeIP, ua, marker = "198.51.100.77", "Marker-UA/9.9 (unique-7f3a)", "secret-marker-51c2"
	for _, path := range []string{"/", "/healthz", "/no-such-page?q=" + marker, "/api/v1/x?token=" + marker} {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = "127.0.0.77:41234"
		req.Header.Set("X-Forwarded-For", fakeIP)
		req.Header.Set("X-Real-IP", fakeIP)
		req.Header.Set("User-Agent", ua)
		s.do(t, req)
	}
	logs := s.log.String()
	if !strings.Contains(logs, `"msg":"request"`) {
		t.Fatalf("no access log written: %s", logs)
	}
	for _, bad := range []string{fakeIP, "127.0.0.77", ua, "unique-7f3a", marker} {
		if strings.Contains(logs, bad) {
			t.Errorf("log contains %q:\n%s", bad, logs)
		}
	}
	// Every line is one JSON record.
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("log line is not one JSON record: %q", line)
		}
	}
}

func TestRequestIDIgnoresClientValue(t *testing.T) {
	s := newTestServer(t, "sqlite")
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-Id", "attacker\nlevel=ERROR")
	res := s.do(t, req)
	id := res.Header.Get("X-Request-Id")
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(id) {
		t.Fatalf("request id %q is not a fresh random id", id)
	}
}

func TestErrorResponses(t *testing.T) {
	s := newTestServer(t, "sqlite")
	res := s.get(t, "/api/v1/nothing")
	var er ErrorResponse
	if err := json.NewDecoder(res.Body).Decode(&er); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 404 || er.Error.Code != flare.ENOTFOUND || er.Error.RequestID == "" || er.Error.Message == "" {
		t.Fatalf("API 404 = %d %+v", res.StatusCode, er)
	}
	res = s.get(t, "/no-such-page")
	b := body(t, res)
	if res.StatusCode != 404 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(b, "This page does not exist") {
		t.Fatalf("page 404 = %d %s", res.StatusCode, b)
	}
	req := httptest.NewRequest("GET", "/no-such-page", nil)
	req.Header.Set("Accept", "application/json")
	if res := s.do(t, req); !strings.Contains(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("JSON client got %q", res.Header.Get("Content-Type"))
	}
}

func TestErrorStatus(t *testing.T) {
	tests := map[flare.ErrorCode]int{
		flare.EINVALID: 400, flare.ENOTFOUND: 404, flare.ECONFLICT: 409,
		flare.EUNAUTHORIZED: 401, flare.EFORBIDDEN: 403, flare.EINTERNAL: 500, "": 500,
	}
	for code, want := range tests {
		if got := ErrorStatus(code); got != want {
			t.Errorf("ErrorStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestWriteErrorHidesInternalDetail(t *testing.T) {
	s := newTestServer(t, "sqlite")
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/x", nil)
	s.writeError(rec, req, io.ErrUnexpectedEOF)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "unexpected EOF") {
		t.Fatalf("internal error = %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(s.log.String(), "unexpected EOF") {
		t.Error("internal error not logged for the operator")
	}
	rec = httptest.NewRecorder()
	s.writeError(rec, req, flare.FieldError("title", "is required"))
	var er ErrorResponse
	json.NewDecoder(rec.Body).Decode(&er)
	if rec.Code != 400 || er.Error.Fields["title"] != "is required" {
		t.Fatalf("invalid error = %d %+v", rec.Code, er)
	}
}

func TestPanicBecomes500(t *testing.T) {
	s := newTestServer(t, "sqlite")
	h := requestID(s.recoverPanic(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom at line 42")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatalf("panic answer = %d %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(s.log.String(), "boom at line 42") {
		t.Error("panic not logged")
	}
}

func TestLanguageChoice(t *testing.T) {
	s := newTestServer(t, "sqlite")
	tests := []struct {
		name, path, accept, cookie string
		wantLang, wantDir          string
		wantCookie                 bool
	}{
		{"default", "/", "", "", "en", "ltr", false},
		{"accept arabic", "/", "ar-EG,ar;q=0.9,en;q=0.5", "", "ar", "rtl", false},
		{"accept portuguese region", "/", "pt-BR", "", "pt", "ltr", false},
		{"accept unknown", "/", "zu", "", "en", "ltr", false},
		{"explicit switch", "/?lang=fr", "ar", "", "fr", "ltr", true},
		{"remembered", "/", "es", "pt", "pt", "ltr", false},
		{"bad explicit ignored", "/?lang=xx", "es", "", "es", "ltr", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: html.LangCookie, Value: tt.cookie})
			}
			res := s.do(t, req)
			b := body(t, res)
			if !strings.Contains(b, `<html lang="`+tt.wantLang+`" dir="`+tt.wantDir+`">`) {
				t.Errorf("page not in %s/%s: %.200s", tt.wantLang, tt.wantDir, b)
			}
			cookies := res.Cookies()
			if got := len(cookies) == 1 && cookies[0].Name == html.LangCookie && cookies[0].HttpOnly; got != tt.wantCookie {
				t.Errorf("language cookie set = %v (%v), want %v", got, cookies, tt.wantCookie)
			}
		})
	}
}

func TestStaticAssets(t *testing.T) {
	s := newTestServer(t, "sqlite")
	url, _ := s.cfg.Renderer.Assets().URL("css/flare.css")
	if !regexp.MustCompile(`^/static/css/flare\.[0-9a-f]{12}\.css$`).MatchString(url) {
		t.Fatalf("asset URL %q is not content-hashed", url)
	}
	res := s.get(t, url)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s = %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, bad := range []string{"/static/css/flare.css", "/static/css/flare.000000000000.css", "/static/../go.mod"} {
		// The mux may redirect a path with ".." to its clean form; it must
		// never serve a file.
		if res := s.get(t, bad); res.StatusCode != 404 && res.StatusCode != http.StatusTemporaryRedirect {
			t.Errorf("GET %s = %d, want 404 or a redirect", bad, res.StatusCode)
		}
	}
}

func TestMetrics(t *testing.T) {
	s := newTestServer(t, "sqlite")
	s.get(t, "/healthz")
	s.get(t, "/no-such-page")
	b := body(t, s.get(t, "/metrics"))
	for _, want := range []string{
		`flare_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
		`flare_http_requests_total{code="404",method="GET",route="/"} 1`,
		"flare_http_request_duration_seconds_bucket",
		"go_goroutines",
	} {
		if !strings.Contains(b, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestGracefulShutdown starts a slow request, cancels the server's context
// while it runs, and checks the request still completes before Serve
// returns.
func TestGracefulShutdown(t *testing.T) {
	s := newTestServer(t, "sqlite")
	started := make(chan struct{})
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln) }()
	got := make(chan string, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(res.Body)
		got <- string(b)
	}()
	<-started
	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v", err)
	}
	if b := <-got; b != "finished" {
		t.Fatalf("in-flight request got %q, want it finished", b)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestRedactAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http: TLS handshake error from 203.0.113.9:52114: EOF", "http: TLS handshake error from [address]: EOF"},
		{"http: TLS handshake error from [2001:db8::1]:443: EOF", "http: TLS handshake error from [address]: EOF"},
		{"http: URL query contains semicolon", "http: URL query contains semicolon"},
	}
	for _, tt := range tests {
		if got := redactAddresses(tt.in); got != tt.want {
			t.Errorf("redactAddresses(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHSTSOnlyBehindTLS: HSTS is sent over TLS or behind a TLS proxy, never
// on plain HTTP, where it would be meaningless.
func TestHSTSOnlyBehindTLS(t *testing.T) {
	s := newTestServer(t, "sqlite")
	if got := s.get(t, "/healthz").Header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS on plain HTTP: %q", got)
	}
	req := httptest.NewRequest("GET", "https://flare.example/healthz", nil)
	if got := s.do(t, req).Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=31536000") {
		t.Errorf("HSTS over TLS = %q", got)
	}
	s.cfg.SecureCookies = true
	s.handler = s.middleware(s.routes())
	if got := s.get(t, "/healthz").Header.Get("Strict-Transport-Security"); got == "" {
		t.Error("no HSTS behind a TLS proxy")
	}
}
