package http

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestPortalLoad sends N reports from C concurrent clients over loopback
// TCP, each sent twice with the same form token (a retry), with the
// production receipt hashing parameters, and checks that every report is
// stored once and every retry got its first receipt: none lost, none
// duplicated (issue #4). N and C come from FLARE_PORTAL_LOAD_N and
// FLARE_PORTAL_LOAD_C (default 40 and 8); the figures go to the log and
// to docs/benchmarks.md.
func TestPortalLoad(t *testing.T) {
	n, c := envInt("FLARE_PORTAL_LOAD_N", 40), envInt("FLARE_PORTAL_LOAD_C", 8)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			f := newPortalFixture(t, backend)
			f.reports = sqlstore.NewReportService(f.db, f.keys, sqlstore.ReceiptParams)
			f.cfg.Reports = f.reports
			f.portal.submit = newLimiter(RateLimit{Every: time.Microsecond, Burst: 1 << 20})
			f.handler = f.middleware(f.routes())
			ts := httptest.NewServer(f.Handler())
			defer ts.Close()
			client := ts.Client()
			client.Transport.(*http.Transport).MaxIdleConnsPerHost = c

			receipts := make([][2]string, n)
			var failures sync.Map
			jobs := make(chan int)
			var wg sync.WaitGroup
			start := time.Now()
			for range c {
				wg.Go(func() {
					for i := range jobs {
						form := reportValues(newFormToken(), "load-"+strconv.Itoa(i))
						for try := range 2 {
							res, err := client.PostForm(ts.URL+"/report", form)
							if err != nil {
								failures.Store(i, err.Error())
								continue
							}
							var b strings.Builder
							buf := make([]byte, 32<<10)
							for {
								k, err := res.Body.Read(buf)
								b.Write(buf[:k])
								if err != nil {
									break
								}
							}
							res.Body.Close()
							if m := receiptPattern.FindStringSubmatch(b.String()); m != nil {
								receipts[i][try] = m[1]
							} else {
								failures.Store(i, res.Status)
							}
						}
					}
				})
			}
			for i := range n {
				jobs <- i
			}
			close(jobs)
			wg.Wait()
			elapsed := time.Since(start)
			failures.Range(func(k, v any) bool { t.Errorf("report %v: %v", k, v); return true })
			seen := map[string]bool{}
			for i, r := range receipts {
				if r[0] == "" || r[0] != r[1] {
					t.Errorf("report %d: receipts %q and %q", i, r[0], r[1])
				}
				if seen[r[0]] {
					t.Errorf("receipt %q given twice", r[0])
				}
				seen[r[0]] = true
			}
			rows := len(queryStrings(t, storetest.RawDB(t, f.dbURL), "SELECT id FROM reports"))
			if rows != n {
				t.Errorf("%d reports stored, want %d", rows, n)
			}
			t.Logf("%s: %d reports (%d requests) from %d clients in %v: %.1f reports/s, %.1f ms per request per client",
				backend, n, 2*n, c, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(),
				float64(elapsed.Milliseconds())*float64(c)/float64(2*n))
		})
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
