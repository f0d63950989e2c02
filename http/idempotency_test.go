package http

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestIdempotencyKey: the same Idempotency-Key and payload sent 10 times in
// parallel open one case and get identical answers; the same key with
// another payload is 422 (security checklist R-CC2).
func TestIdempotencyKey(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newStaffFixture(t, backend)
			a := f.signedIn(t, f.agency, flare.RoleInspector)
			post := func(key, body string) (int, string, http.Header) {
				req := httptest.NewRequest("POST", "/api/v1/cases", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", key)
				req.RemoteAddr = a.remote
				for _, c := range a.cookies {
					req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
				}
				rec := httptest.NewRecorder()
				a.h.ServeHTTP(rec, req)
				return rec.Code, rec.Body.String(), rec.Header()
			}
			payload := `{"reference":"LI/IDEM/1","title":"Quarry"}`
			const n = 10
			statuses, bodies := make([]int, n), make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { statuses[i], bodies[i], _ = post("order-7f3a", payload) })
			}
			wg.Wait()
			for i := range n {
				if statuses[i] != http.StatusCreated || bodies[i] != bodies[0] {
					t.Fatalf("answer %d = %d %s; first = %d %s", i, statuses[i], bodies[i], statuses[0], bodies[0])
				}
			}
			_, list := a.do("GET", "/api/v1/cases?q=quarry", nil)
			if got := strings.Count(list, `"reference":"LI/IDEM/1"`); got != 1 {
				t.Fatalf("%d cases created, want 1: %s", got, list)
			}
			// A retry later replays the answer with its headers.
			status, body, h := post("order-7f3a", payload)
			if status != http.StatusCreated || body != bodies[0] || h.Get("Idempotent-Replayed") != "true" || h.Get("ETag") != `"v1"` {
				t.Fatalf("retry = %d %s %v", status, body, h)
			}
			if status, body, _ := post("order-7f3a", `{"reference":"LI/IDEM/2","title":"Quarry"}`); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Idempotency-Key") {
				t.Fatalf("same key, other payload = %d %s", status, body)
			}
			// Refusals are remembered too: the same bad request gets the same 400.
			s1, b1, _ := post("bad-1", `{"reference":"-x","title":"T"}`)
			s2, b2, _ := post("bad-1", `{"reference":"-x","title":"T"}`)
			if s1 != 400 || s2 != 400 || b1 != b2 {
				t.Fatalf("refusal replay = %d %s / %d %s", s1, b1, s2, b2)
			}
			if status, _, _ := post(strings.Repeat("k", 256), payload); status != 400 {
				t.Fatalf("overlong key = %d", status)
			}
		})
	}
}
