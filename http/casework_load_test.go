package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
	"github.com/flare-ilo/flare/vault"
)

// The casework load test (issue #5, "Tests and measures") runs against a
// database that "flare seed" filled beforehand, so that CI, which has no
// such database, skips it:
//
//	flare seed --data /tmp/flare-bench --cases 100000
//	FLARE_BENCH_CASEWORK_SQLITE=/tmp/flare-bench/flare.db go test -run TestCaseworkAtScale -v ./http/
//
//	createdb -h 127.0.0.1 -U postgres flare_bench
//	flare seed --database postgres://postgres@127.0.0.1/flare_bench --key-file /tmp/flare-bench-pg.keyring --cases 100000
//	FLARE_BENCH_CASEWORK_POSTGRES=postgres://postgres@127.0.0.1/flare_bench FLARE_BENCH_CASEWORK_KEY_FILE=/tmp/flare-bench-pg.keyring \
//	  go test -run TestCaseworkAtScale -v ./http/
//
// The SQLite key ring is the one "flare seed" made beside the database
// (<data dir>/keyring) unless FLARE_BENCH_CASEWORK_KEY_FILE names another.
// FLARE_BENCH_CASEWORK_REQUESTS sets the requests per measure (default 200).
const (
	envBenchSQLite   = "FLARE_BENCH_CASEWORK_SQLITE"
	envBenchPostgres = "FLARE_BENCH_CASEWORK_POSTGRES"
	envBenchKeyFile  = "FLARE_BENCH_CASEWORK_KEY_FILE"
	envBenchRequests = "FLARE_BENCH_CASEWORK_REQUESTS"
)

// benchAgency is the seeded agency whose inspector the load test signs in
// as: it owns the largest share of the seeded cases.
const benchAgency = "National Labour Inspectorate"

// TestCaseworkAtScale measures the case list, the case page and the two
// searches through the real HTTP handler on loopback, one keep-alive client
// making requests one after the other, on each pre-seeded database named
// by the environment, and logs p50, p90, p99 and max for each.
func TestCaseworkAtScale(t *testing.T) {
	ran := false
	for _, backend := range []struct{ name, env string }{{"sqlite", envBenchSQLite}, {"postgres", envBenchPostgres}} {
		target := os.Getenv(backend.env)
		if target == "" {
			continue
		}
		ran = true
		t.Run(backend.name, func(t *testing.T) { runCaseworkAtScale(t, backend.name, target) })
	}
	if !ran {
		t.Skipf("set %s=/path/flare.db or %s=postgres://... to a database filled by \"flare seed\"", envBenchSQLite, envBenchPostgres)
	}
}

func runCaseworkAtScale(t *testing.T, backend, target string) {
	ctx := context.Background()
	dbURL, keyFile := target, os.Getenv(envBenchKeyFile)
	if backend == "sqlite" {
		dbURL = "sqlite:" + target
		if keyFile == "" {
			keyFile = vault.DefaultPath(filepath.Dir(target))
		}
	}
	if keyFile == "" {
		t.Fatalf("%s must name the key ring \"flare seed\" used", envBenchKeyFile)
	}
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A database seeded by an older binary gets the tables added since.
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	keys := sqlstore.NewKeyStore(db, v)
	if err := keys.Check(ctx); err != nil {
		t.Fatal(err)
	}
	s, b := caseworkBenchServer(t, db, keys)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Serve(srvCtx, ln) }()
	defer func() { cancel(); <-done }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	n := 200
	if v, err := strconv.Atoi(os.Getenv(envBenchRequests)); err == nil && v > 0 {
		n = v
	}
	get := func(path string) (int, int) {
		req, _ := http.NewRequest("GET", base+path, nil)
		for _, c := range b.cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, len(body)
	}
	// The cases the inspector may open: a sample of its agency's, read
	// through the service as the console (its reads are audited too).
	ids := benchCaseIDs(t, s, b.agencyID)
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"kiln", "garment", "plantation", "passports", "debt", "fishing", "household", "Kessel", "Sandport",
		"construction", "quarry", "recruitment", "restaurant", "Okafor", "wages", "Harbour"}
	names := []string{"Nguyen", "Diallo", "Kovalenko", "Rahman", "Quispe", "Mensah", "Santos", "Popescu", "Thapa",
		"Fatima", "Aminata Diallo", "Mohamed", "Wang", "Gonzalez", "Ivanov", "Perera"}
	measures := []struct {
		name string
		path func() string
	}{
		{"case list, first page", func() string { return "/cases" }},
		{"case list, open cases of a region", func() string { return "/cases?status=open&region=" + url.QueryEscape("Highlands") }},
		{"case page", func() string { return "/cases/" + ids[rng.IntN(len(ids))] }},
		{"search, free text", func() string { return "/cases?q=" + url.QueryEscape(words[rng.IntN(len(words))]) }},
		{"search, person's name", func() string { return "/cases?name=" + url.QueryEscape(names[rng.IntN(len(names))]) }},
	}
	var report []string
	for _, m := range measures {
		lat := make([]time.Duration, 0, n)
		var bytes int
		for range n {
			path := m.path()
			start := time.Now()
			code, size := get(path)
			lat = append(lat, time.Since(start))
			if code != 200 {
				t.Fatalf("%s: GET %s = %d", m.name, path, code)
			}
			bytes += size
		}
		slices.Sort(lat)
		line := fmt.Sprintf("| %s | %s | %d | %s | %s | %s | %s |", backend, m.name, n,
			ms(pct(lat, 50)), ms(pct(lat, 90)), ms(pct(lat, 99)), ms(lat[len(lat)-1]))
		report = append(report, line)
		t.Logf("%s (%d bytes a page on average)", line, bytes/n)
	}
	t.Logf("results:\n%s", strings.Join(report, "\n"))
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

// benchBrowser is a signed-in inspector of the benchmark agency.
type benchBrowser struct {
	agencyID string
	cookies  []*http.Cookie
}

// caseworkBenchServer wires the services as "flare serve" does on db, with
// keys (the ring the seed used, so that the blind index matches), and signs
// in a new inspector of benchAgency.
func caseworkBenchServer(t *testing.T, db *sqlstore.DB, keys *sqlstore.KeyStore) (*testServer, *benchBrowser) {
	t.Helper()
	ctx := context.Background()
	// A clock the test moves, from now, so two TOTP codes differ.
	clock := storetest.NewClock(time.Now().UTC())
	db.SetClock(clock.Now)
	accounts, err := sqlstore.NewAccountService(db, keys, flare.DefaultSessionPolicy(), storetest.FastParams, "Flare bench")
	if err != nil {
		t.Fatal(err)
	}
	s := newServerFor(t, db, slog.LevelError)
	// The same services as newStaffFixtureOn: keep the two in step.
	s.cfg.Accounts = accounts
	s.cfg.Cases = sqlstore.NewCaseService(db).WithKeys(keys)
	s.cfg.Persons = sqlstore.NewPersonService(db, keys)
	s.cfg.Assessments = sqlstore.NewAssessmentService(db, keys, screening.DefaultConfig())
	s.cfg.Agencies = sqlstore.NewAgencyService(db)
	s.cfg.Claims = sqlstore.NewClaimService(db, keys, sqlstore.FundRules{})
	s.cfg.Notes, s.cfg.Tasks = sqlstore.NewNoteService(db, keys), sqlstore.NewTaskService(db)
	s.cfg.Documents, s.cfg.Timeline = sqlstore.NewDocumentService(db, keys), sqlstore.NewTimelineService(db)
	s.cfg.Organisations, s.cfg.Worksites = sqlstore.NewOrganisationService(db), sqlstore.NewWorksiteService(db)
	s.cfg.Idempotency = sqlstore.NewIdempotencyStore(db)
	s.cfg.Users = sqlstore.NewUserService(db, flare.DefaultSessionPolicy())
	s.cfg.BaseURL = "https://flare.example"
	s.handler = s.middleware(s.routes())

	agency, err := sqlstore.NewAgencyService(db).AgencyByName(ctx, benchAgency)
	if err != nil {
		t.Fatalf("agency %q (was the database filled by flare seed?): %v", benchAgency, err)
	}
	email := fmt.Sprintf("bench.%d@inspectorate.example", time.Now().UnixNano())
	u := &flare.User{AgencyID: agency.ID, Email: email, Roles: []flare.Role{flare.RoleInspector}}
	token, err := sqlstore.NewUserService(db, flare.DefaultSessionPolicy()).CreateUser(flare.WithActor(ctx, flare.Actor{Console: true}), u)
	if err != nil {
		t.Fatal(err)
	}
	e, err := accounts.Enrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(e.TOTPSecret, clock.Now())
	if _, err := accounts.CompleteEnrolment(ctx, token, "river otter pay slip", code); err != nil {
		t.Fatal(err)
	}
	clock.Add(30 * time.Second)
	pending, err := accounts.SignIn(ctx, email, "river otter pay slip")
	if err != nil {
		t.Fatal(err)
	}
	code, _ = auth.TOTPCode(e.TOTPSecret, clock.Now())
	session, err := accounts.CompleteSignIn(ctx, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	return s, &benchBrowser{agencyID: agency.ID, cookies: []*http.Cookie{{Name: SessionCookie, Value: session}}}
}

// benchCaseIDs returns the ids of up to 2,000 cases of the agency, from
// pages spread over its whole list.
func benchCaseIDs(t *testing.T, s *testServer, agencyID string) []string {
	t.Helper()
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	cases := s.cfg.Cases.(*sqlstore.CaseService)
	var ids []string
	for _, offset := range []int{0, 5000, 15000, 30000} {
		page, err := cases.Cases(ctx, flare.CaseFilter{AgencyID: agencyID, Limit: 500, Offset: offset})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatal("the benchmark agency has no case: fill the database with flare seed first")
	}
	return ids
}
