package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	flarehttp "github.com/flare-ilo/flare/http"
	"github.com/flare-ilo/flare/internal/faultproxy"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
	"github.com/flare-ilo/flare/vault"
)

// TestCrashLoop is the kill -9 loop (security checklist R-DU1): concurrent
// user creations and case edits through the HTTP API of a real flare serve
// process, SIGKILLed 20 times (3 with -short) and restarted. Afterwards
// every acknowledged write is present exactly once and unchanged, no
// unacknowledged one is half there, SQLite's integrity check is ok, and the
// audit log verifies against its signed checkpoints although the log has
// grown past the last one.
func TestCrashLoop(t *testing.T) {
	kills := 20
	if testing.Short() {
		kills = 3
	}
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		dataDir := t.TempDir()
		if storetest.BackendOf(dbURL) == "sqlite" {
			dbURL = sqliteURL(dataDir)
		}
		st := seedStaff(t, dbURL, dataDir, flare.RoleAdmin, flare.RoleCaseworker)
		cases := seedCases(t, dbURL, st, 4)
		// A first signed checkpoint, so that verify has one to extend
		// whichever run the kills interrupt.
		db := serveDBArgs(dbURL, dataDir)
		if out, e, code := runCLI(t, "", nil, append([]string{"audit", "checkpoint"}, db...)...); code != 0 {
			t.Fatalf("audit checkpoint = %d %s %s", code, out, e)
		}
		load := newCrashLoad(cases)
		load.partnerKey = createPartner(t, db)
		rng := rand.New(rand.NewPCG(1, 2))
		raw := storetest.RawDB(t, dbURL)
		postgres := storetest.BackendOf(dbURL) == "postgres"
		serveURL := dbURL
		if postgres {
			// Name the server's connections, to wait for them to end.
			serveURL = withAppName(t, dbURL, crashAppName)
		}
		args := append(serveDBArgs(serveURL, dataDir), "--checkpoint-interval", "1s")
		for i := 0; i < kills; i++ {
			p := startServe(t, args...)
			client := newAPIClient(p.url(), st.session, nil)
			stopped := load.run(t, client)
			// Let the load run for a while, then pull the plug mid-write.
			time.Sleep(time.Duration(200+rng.IntN(400)) * time.Millisecond)
			p.kill(t)
			stopped.Wait()
			if postgres {
				// A COMMIT the killed server had sent still completes in
				// PostgreSQL after the process is gone; the next round
				// must read the case only once it has.
				waitConnectionsGone(t, raw, crashAppName)
			}
		}
		if load.acked() == 0 {
			t.Fatal("no write was acknowledged: the load never ran")
		}

		if !postgres {
			var res string
			if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
				t.Fatalf("integrity_check = %q, %v", res, err)
			}
		}
		// Verify straight after the last SIGKILL: the log has grown past
		// the last checkpoint, which verify must accept.
		out, e, code := runCLI(t, "", nil, append([]string{"audit", "verify"}, db...)...)
		if code != 0 || !strings.Contains(out, "audit log OK") {
			t.Fatalf("audit verify after SIGKILL = %d %q %q", code, out, e)
		}
		if m := regexp.MustCompile(`tree size (\d+), .* checkpoint of tree size (\d+)`).FindStringSubmatch(out); m == nil {
			t.Fatalf("verify output has no sizes: %q", out)
		} else if size, _ := strconv.Atoi(m[1]); size == 0 {
			t.Fatalf("empty audit log after the load: %q", out)
		}

		// A clean restart: the server comes back by itself and serves the
		// state the load left.
		p := startServe(t, args...)
		load.check(t, newAPIClient(p.url(), st.session, nil), raw)
		p.stop(t)
		if out, e, code := runCLI(t, "", nil, append([]string{"audit", "verify"}, db...)...); code != 0 {
			t.Fatalf("audit verify after clean stop = %d %q %q", code, out, e)
		}
		t.Logf("%d kills: %d writes acknowledged (%d reports), %d in flight at a kill", kills, load.acked(), len(load.reports), load.unknown())
	})
}

// crashAppName is the application_name of the crash loop's servers.
const crashAppName = "flare-crash-loop"

// withAppName sets the PostgreSQL application_name in a database URL.
func withAppName(t *testing.T, dbURL, name string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// waitConnectionsGone waits until PostgreSQL has ended every backend of
// connections named name, that is until their last transactions finished.
func waitConnectionsGone(t *testing.T, raw *sql.DB, name string) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections of the killed server still open after 15s", n)
		}
	}
}

// seedCases creates n cases of the staff member's agency through the store.
func seedCases(t *testing.T, dbURL string, st *staff, n int) []*flare.Case {
	t.Helper()
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := sqlstore.NewCaseService(store)
	var out []*flare.Case
	for i := range n {
		c := &flare.Case{AgencyID: st.agency.ID, Reference: fmt.Sprintf("LI/2026/%03d", i+1), Title: "start",
			Status: flare.CaseOpen, OpenedOn: time.Now()}
		if err := svc.CreateCase(ctx, c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// crashLoad is the write load and what it was told. Every write is one of:
// acknowledged (a 2xx answer), refused (a 4xx answer: nothing written), or
// unknown (the server died before answering: written or not, but never
// half). Case edits go one writer per case, so each case's history is a
// single line of versions.
type crashLoad struct {
	mu      sync.Mutex
	cases   []*caseWriter
	users   map[string]string // email -> id, acknowledged creations
	maybe   map[string]bool   // emails whose creation was in flight
	nextID  int
	nAcked  int
	nMaybe  int
	stopped bool
	// partnerKey submits reports through the partner API; reports maps
	// each acknowledged report's Idempotency-Key to its receipt, and
	// maybeReports holds the keys in flight at a kill.
	partnerKey   string
	reports      map[string]string
	maybeReports map[string]bool
	nextReport   int
}

// caseWriter is one case's writer and its record of the case.
type caseWriter struct {
	id string
	// version and title as last acknowledged or read back.
	version int64
	title   string
	// edits is how many edits of this case took effect: acknowledged,
	// or in flight at a kill and found applied on the next read.
	edits int
	// pending is the title of an edit in flight when the server died.
	pending string
	seq     int
}

func newCrashLoad(cases []*flare.Case) *crashLoad {
	l := &crashLoad{users: map[string]string{}, maybe: map[string]bool{}, reports: map[string]string{}, maybeReports: map[string]bool{}}
	for _, c := range cases {
		l.cases = append(l.cases, &caseWriter{id: c.ID, version: c.Version, title: c.Title})
	}
	return l
}

func (l *crashLoad) acked() int   { l.mu.Lock(); defer l.mu.Unlock(); return l.nAcked }
func (l *crashLoad) unknown() int { l.mu.Lock(); defer l.mu.Unlock(); return l.nMaybe }

// run starts one writer per case and two user creators against client;
// they stop at the first transport error, when the server has died.
func (l *crashLoad) run(t *testing.T, client *apiClient) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, cw := range l.cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.editLoop(client, cw); err != nil {
				t.Error(err)
			}
		}()
	}
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.createLoop(client); err != nil {
				t.Error(err)
			}
		}()
	}
	if l.partnerKey != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := l.reportLoop(client.base); err != nil {
				t.Error(err)
			}
		}()
	}
	return &wg
}

// reportLoop submits reports through the partner API, each with its own
// Idempotency-Key, until the server goes away (R-DU1: "all acknowledged
// reports are present and unchanged, none is duplicated").
func (l *crashLoad) reportLoop(base string) error {
	for {
		l.mu.Lock()
		l.nextReport++
		key := fmt.Sprintf("crash-report-%d", l.nextReport)
		l.mu.Unlock()
		receipt, status, err := l.submitReport(base, key)
		l.mu.Lock()
		switch {
		case err != nil:
			l.maybeReports[key] = true
			l.nMaybe++
		case status == 201:
			l.reports[key] = receipt
			l.nAcked++
		}
		l.mu.Unlock()
		if err != nil {
			return nil
		}
		if status != 201 {
			return fmt.Errorf("report %s: status %d", key, status)
		}
	}
}

// submitReport posts one partner report; the same key always carries the
// same report.
func (l *crashLoad) submitReport(base, key string) (receipt string, status int, err error) {
	body := fmt.Sprintf(`{"text": "Workers locked in at night, report %s", "country": "KE", "region": "Coast", "people": 4, "lang": "en"}`, key)
	req, err := http.NewRequest("POST", base+"/api/v1/reports", strings.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.partnerKey)
	req.Header.Set("Idempotency-Key", key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", 0, err
	}
	defer res.Body.Close()
	var out struct {
		Receipt string `json:"receipt"`
	}
	if res.StatusCode == 201 {
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			return "", res.StatusCode, fmt.Errorf("decode receipt: %w", err)
		}
	}
	return out.Receipt, res.StatusCode, nil
}

// createPartner registers a partner organisation with the CLI and returns
// its API key, the last line of the command's output.
func createPartner(t *testing.T, db []string) string {
	t.Helper()
	out, e, code := runCLI(t, "", nil, append([]string{"partner", "create", "--name", "Hotline"}, db...)...)
	if code != 0 {
		t.Fatalf("partner create = %d %s %s", code, out, e)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// editLoop first reads the case back, settling an edit left in flight by
// the last kill, then edits it until the server goes away.
func (l *crashLoad) editLoop(client *apiClient, cw *caseWriter) error {
	var c flare.Case
	for {
		status, _, err := client.call("GET", "/api/v1/cases/"+cw.id, nil, nil, &c)
		if err != nil {
			// Not up yet, or already killed again.
			return nil
		}
		if status != 200 {
			return fmt.Errorf("read case %s back: status %d", cw.id, status)
		}
		break
	}
	if err := cw.settle(&c); err != nil {
		return err
	}
	for {
		cw.seq++
		title := fmt.Sprintf("edit %d of %s", cw.seq, cw.id[len(cw.id)-6:])
		var got flare.Case
		status, _, err := client.call("PATCH", "/api/v1/cases/"+cw.id, map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, cw.version)},
			map[string]string{"title": title}, &got)
		if err != nil {
			cw.pending = title
			l.mu.Lock()
			l.nMaybe++
			l.mu.Unlock()
			return nil
		}
		if status != 200 {
			return fmt.Errorf("edit case %s at version %d: status %d", cw.id, cw.version, status)
		}
		if got.Version != cw.version+1 || got.Title != title {
			return fmt.Errorf("edit case %s: answer version %d title %q, want %d %q", cw.id, got.Version, got.Title, cw.version+1, title)
		}
		cw.version, cw.title = got.Version, got.Title
		cw.edits++
		l.mu.Lock()
		l.nAcked++
		l.mu.Unlock()
	}
}

// settle compares the case as read with the writer's record: it is the last
// acknowledged state, or that plus the one edit in flight at the kill.
func (cw *caseWriter) settle(c *flare.Case) error {
	switch {
	case c.Version == cw.version && c.Title == cw.title:
		// The edit in flight, if any, did not happen.
	case cw.pending != "" && c.Version == cw.version+1 && c.Title == cw.pending:
		cw.version, cw.title = c.Version, c.Title
		cw.edits++
	default:
		return fmt.Errorf("case %s after restart: version %d title %q; acknowledged version %d title %q, in flight %q",
			cw.id, c.Version, c.Title, cw.version, cw.title, cw.pending)
	}
	cw.pending = ""
	return nil
}

// createLoop creates users with fresh emails until the server goes away.
func (l *crashLoad) createLoop(client *apiClient) error {
	for {
		l.mu.Lock()
		l.nextID++
		email := fmt.Sprintf("officer%d@labour.example", l.nextID)
		l.mu.Unlock()
		var res struct {
			User flare.User `json:"user"`
		}
		status, _, err := client.call("POST", "/api/v1/users", nil,
			map[string]any{"email": email, "roles": []string{"caseworker"}}, &res)
		l.mu.Lock()
		switch {
		case err != nil:
			l.maybe[email] = true
			l.nMaybe++
		case status == 201 && res.User.ID != "":
			l.users[email] = res.User.ID
			l.nAcked++
		}
		l.mu.Unlock()
		if err != nil {
			return nil
		}
		if status != 201 {
			return fmt.Errorf("create user %s: status %d", email, status)
		}
	}
}

// check compares the database with what the load was told: every
// acknowledged user is there once, with its audit entry once; an in-flight
// creation is there whole or not at all; every case holds its last
// acknowledged (or settled) edit, with one audit entry per edit.
func (l *crashLoad) check(t *testing.T, client *apiClient, raw *sql.DB) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for email, id := range l.users {
		if n := count(`SELECT COUNT(*) FROM users WHERE email = $1 AND id = $2`, email, id); n != 1 {
			t.Errorf("acknowledged user %s: %d rows, want 1", email, n)
		}
		if n := count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'create' AND record_type = 'user' AND record_id = $1`, id); n != 1 {
			t.Errorf("acknowledged user %s: %d create audit entries, want 1", email, n)
		}
	}
	for email := range l.maybe {
		var id string
		users := count(`SELECT COUNT(*) FROM users WHERE email = $1`, email)
		if users == 1 {
			raw.QueryRow(`SELECT id FROM users WHERE email = $1`, email).Scan(&id)
		}
		entries := 0
		if id != "" {
			entries = count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'create' AND record_type = 'user' AND record_id = $1`, id)
		}
		if users > 1 || entries != users {
			t.Errorf("in-flight user %s: %d rows and %d audit entries: half-written", email, users, entries)
		}
	}
	wantUsers := 1 + len(l.users) // the seeded staff member
	if got := count(`SELECT COUNT(*) FROM users`); got < wantUsers || got > wantUsers+len(l.maybe) {
		t.Errorf("%d users stored; %d acknowledged and %d in flight", got, wantUsers, len(l.maybe))
	}
	// Every acknowledged report answers a retry with its first receipt;
	// a report in flight at a kill is stored by its retry if it was not
	// before. Then each key holds exactly one report.
	for key, receipt := range l.reports {
		got, status, err := l.submitReport(client.base, key)
		if err != nil || status != 201 || got != receipt {
			t.Errorf("acknowledged report %s: retry gives %d %q (%v), want the receipt %q", key, status, got, err, receipt)
		}
	}
	for key := range l.maybeReports {
		if _, status, err := l.submitReport(client.base, key); err != nil || status != 201 {
			t.Errorf("in-flight report %s: retry gives %d (%v)", key, status, err)
		}
	}
	if want, got := len(l.reports)+len(l.maybeReports), count(`SELECT COUNT(*) FROM reports`); got != want {
		t.Errorf("%d reports stored for %d keys: lost or duplicated", got, want)
	}
	for _, cw := range l.cases {
		var c flare.Case
		if status, _, err := client.call("GET", "/api/v1/cases/"+cw.id, nil, nil, &c); err != nil || status != 200 {
			t.Fatalf("read case %s: %d %v", cw.id, status, err)
		}
		if err := cw.settle(&c); err != nil {
			t.Error(err)
			continue
		}
		if c.Version != int64(1+cw.edits) {
			t.Errorf("case %s at version %d after %d edits", cw.id, c.Version, cw.edits)
		}
		if n := count(`SELECT COUNT(*) FROM audit_entries WHERE action = 'update' AND record_type = 'case' AND record_id = $1`, cw.id); n != cw.edits {
			t.Errorf("case %s: %d update audit entries for %d edits", cw.id, n, cw.edits)
		}
	}
}

// This file runs "flare serve" as a real process (the test binary re-run
// with FLARE_TEST_AS_MAIN=1, see TestMain) and signs staff in without a
// browser, for the crash, several-instance and TLS tests.

// lockedBuffer collects a process's log while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveProc is one running "flare serve".
type serveProc struct {
	cmd  *exec.Cmd
	addr string
	// log holds every log line of the process.
	log    *lockedBuffer
	waited chan error
}

// startServe starts flare serve on a free loopback port with args and waits
// until it listens. The process is killed at cleanup if still running.
func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	return startServeEnv(t, nil, args...)
}

// startServeEnv is startServe with extra environment variables ("K=V").
func startServeEnv(t *testing.T, environ []string, args ...string) *serveProc {
	t.Helper()
	p, stderr := launchServe(t, environ, args...)
	p.await(t, stderr)
	return p
}

// launchServe starts the process without waiting for it to listen, so that
// several can start at the same moment; await waits.
func launchServe(t *testing.T, environ []string, args ...string) (*serveProc, io.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(append(os.Environ(), "FLARE_TEST_AS_MAIN=1"), environ...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, log: &lockedBuffer{}, waited: make(chan error, 1)}
	t.Cleanup(func() { p.kill(t) })
	return p, stderr
}

// await waits until the process says where it listens, keeping every log
// line, those before "listening" included.
func (p *serveProc) await(t *testing.T, stderr io.Reader) {
	t.Helper()
	sc := bufio.NewScanner(stderr)
	for p.addr == "" && sc.Scan() {
		p.log.Write(append(sc.Bytes(), '\n'))
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
			p.addr = l.Addr
		}
	}
	if p.addr == "" {
		t.Fatalf("flare serve never said it was listening; log:\n%s", p.log)
	}
	go func() {
		for sc.Scan() {
			p.log.Write(append(sc.Bytes(), '\n'))
		}
		p.waited <- p.cmd.Wait()
	}()
}

// url is the process's base URL over plain HTTP.
func (p *serveProc) url() string { return "http://" + p.addr }

// kill sends SIGKILL, as a power cut or the OOM killer would, and waits for
// the process to be gone.
func (p *serveProc) kill(t *testing.T) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.waited:
	case <-time.After(10 * time.Second):
		t.Error("flare serve still running 10s after SIGKILL")
	}
}

// stop sends SIGTERM and requires a clean exit.
func (p *serveProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.waited:
		if err != nil {
			t.Fatalf("flare serve exited with %v after SIGTERM; log:\n%s", err, p.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("flare serve did not stop within 30s of SIGTERM")
	}
}

// serveDBArgs are the database flags of a serve process for a test URL:
// SQLite in dataDir (whose flare.db the URL must name), or PostgreSQL.
func serveDBArgs(dbURL, dataDir string) []string {
	if storetest.BackendOf(dbURL) == "postgres" {
		return []string{"--data", dataDir, "--database", dbURL}
	}
	return []string{"--data", dataDir}
}

// staff is a signed-in staff member of a seeded installation.
type staff struct {
	agency     *flare.Agency
	user       *flare.User
	session    string
	totpSecret string
}

// password is every seeded staff member's password.
const password = "river otter pay slip"

// seedStaff migrates the database, creates an agency and a user with roles
// who completes enrolment and signs in with password and TOTP, all through
// the store with the data directory's key ring (made here as serve would
// make it), and returns the session token a browser would hold.
func seedStaff(t *testing.T, dbURL, dataDir string, roles ...flare.Role) *staff {
	t.Helper()
	ctx := context.Background()
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	// TOTP codes are single-use per 30 s step: step the store's clock
	// forward between codes instead of sleeping.
	// The clock starts 90 s back, so that a later sign-in at the real
	// time uses a TOTP step these codes have not.
	var mu sync.Mutex
	now := time.Now().Add(-90 * time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	store.SetClock(clock)
	step := func() { mu.Lock(); now = now.Add(30 * time.Second); mu.Unlock() }

	ring, _, err := vault.OpenOrCreate(vault.DefaultPath(dataDir))
	if err != nil {
		t.Fatal(err)
	}
	policy := flare.DefaultSessionPolicy()
	accounts, err := sqlstore.NewAccountService(store, sqlstore.NewKeyStore(store, ring), policy, storetest.FastParams, "Flare test")
	if err != nil {
		t.Fatal(err)
	}
	console := flare.WithActor(ctx, flare.Actor{Console: true})
	agency := &flare.Agency{Name: "Labour Inspectorate", Kind: flare.AgencyLabourInspectorate}
	if err := sqlstore.NewAgencyService(store).CreateAgency(console, agency); err != nil {
		t.Fatal(err)
	}
	u := &flare.User{AgencyID: agency.ID, Email: "inspector@labour.example", Roles: roles}
	enrol, err := sqlstore.NewUserService(store, policy).CreateUser(console, u)
	if err != nil {
		t.Fatal(err)
	}
	e, err := accounts.Enrolment(ctx, enrol)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(e.TOTPSecret, clock())
	if _, err := accounts.CompleteEnrolment(ctx, enrol, password, code); err != nil {
		t.Fatal(err)
	}
	step()
	pending, err := accounts.SignIn(ctx, u.Email, password)
	if err != nil {
		t.Fatal(err)
	}
	code, _ = auth.TOTPCode(e.TOTPSecret, clock())
	session, err := accounts.CompleteSignIn(ctx, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	return &staff{agency: agency, user: u, session: session, totpSecret: e.TOTPSecret}
}

// apiClient calls the JSON API as one signed-in staff member.
type apiClient struct {
	base    string
	session string
	http    *http.Client
}

func newAPIClient(base, session string, tlsConfig *tls.Config) *apiClient {
	return &apiClient{base: base, session: session, http: &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: tlsConfig, DisableKeepAlives: true},
	}}
}

// call sends one request and decodes a JSON answer into out (when not
// nil). A transport error (the server is gone) comes back as err; any HTTP
// answer, success or not, as its status.
func (c *apiClient) call(method, path string, header map[string]string, body, out any) (status int, etag string, err error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, "", err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, "", err
	}
	req.AddCookie(&http.Cookie{Name: flarehttp.SessionCookie, Value: c.session})
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, "", fmt.Errorf("read answer: %w", err)
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, "", fmt.Errorf("decode %s %s answer %q: %w", method, path, b, err)
		}
	}
	return res.StatusCode, res.Header.Get("ETag"), nil
}

// sqliteURL is the URL of the SQLite database serve keeps in dataDir.
func sqliteURL(dataDir string) string { return "sqlite:" + filepath.Join(dataDir, "flare.db") }

// logHas reports whether a log holds a JSON line with msg (and, when
// given, the key/value pairs in kv).
func logHas(log, msg string, kv ...string) bool {
	for _, line := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["msg"] != msg {
			continue
		}
		ok := true
		for i := 0; i+1 < len(kv); i += 2 {
			if fmt.Sprint(m[kv[i]]) != kv[i+1] {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestFailClosed is security checklist R-DU4 on PostgreSQL: flare serve
// runs behind a proxy that fails its Nth database call, for every N a
// request makes. Each time, the request gets a generic 500 (JSON on the
// API, the error page in a browser) with no stack trace or driver detail,
// and neither the change nor its audit entry remains; the server serves
// on without a restart.
func TestFailClosed(t *testing.T) {
	dbURL := storetest.NewURL(t, "postgres")
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := faultproxy.Listen(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	viaProxy := *u
	viaProxy.Host = proxy.Addr()
	q := viaProxy.Query()
	q.Set("sslmode", "disable") // the proxy reads the protocol in clear
	viaProxy.RawQuery = q.Encode()

	dataDir := t.TempDir()
	st := seedStaff(t, dbURL, dataDir, flare.RoleCaseworker)
	c := seedCases(t, dbURL, st, 1)[0]
	p := startServe(t, "--database", viaProxy.String(), "--data", dataDir, "--checkpoint-interval", "1h")
	raw := storetest.RawDB(t, dbURL)
	stored := func() (title string, version int64, updates, reads int) {
		t.Helper()
		if err := raw.QueryRow(`SELECT title, version FROM cases WHERE id = $1`, c.ID).Scan(&title, &version); err != nil {
			t.Fatal(err)
		}
		if err := raw.QueryRow(`SELECT COUNT(*) FILTER (WHERE action = 'update'), COUNT(*) FILTER (WHERE action = 'read')
			FROM audit_entries WHERE record_type = 'case' AND record_id = $1`, c.ID).Scan(&updates, &reads); err != nil {
			t.Fatal(err)
		}
		return
	}

	t.Run("API edit", func(t *testing.T) {
		failures := 0
		for n := 1; ; n++ {
			title0, version0, updates0, _ := stored()
			title := fmt.Sprintf("attempt %d", n)
			proxy.Arm(n)
			status, ctype, body := rawRequest(t, "PATCH", p.url()+"/api/v1/cases/"+c.ID, st.session,
				map[string]string{"If-Match": fmt.Sprintf(`"v%d"`, version0), "Content-Type": "application/json"},
				`{"title":"`+title+`"}`)
			triggered := proxy.Triggered()
			proxy.Arm(0)
			got, version, updates, _ := stored()
			switch {
			case status == 200:
				// Done (no call left to fail), or database/sql retried a
				// dead pooled connection on a fresh one: either way the
				// edit is there exactly once.
				if got != title || version != version0+1 || updates != updates0+1 {
					t.Fatalf("call %d: acknowledged edit stored as %q v%d with %d audit entries (before: %q v%d, %d)",
						n, got, version, updates, title0, version0, updates0)
				}
			case !triggered:
				t.Fatalf("call %d: status %d without an injected failure: %s", n, status, body)
			default:
				failures++
				wantGeneric500(t, n, status, ctype, body, "application/json")
				if !strings.Contains(body, `"message":"internal error"`) {
					t.Errorf("call %d: not the generic message: %s", n, body)
				}
				if got != title0 || version != version0 || updates != updates0 {
					t.Fatalf("call %d failed but left %q v%d with %d update entries (before: %q v%d, %d)",
						n, got, version, updates, title0, version0, updates0)
				}
			}
			if !triggered {
				if failures < 3 {
					t.Fatalf("only %d of %d calls failed the request", failures, n-1)
				}
				t.Logf("an edit makes %d database calls; failing each in turn gave %d clean 500s (the rest were retried by database/sql on a fresh connection and stored once)", n-1, failures)
				return
			}
		}
	})

	t.Run("case page", func(t *testing.T) {
		failures := 0
		for n := 1; ; n++ {
			_, _, _, reads0 := stored()
			proxy.Arm(n)
			status, ctype, body := rawRequest(t, "GET", p.url()+"/cases/"+c.ID, st.session, map[string]string{"Accept": "text/html"}, "")
			triggered := proxy.Triggered()
			proxy.Arm(0)
			_, _, _, reads := stored()
			switch {
			case status == 200:
				if reads != reads0+1 {
					t.Fatalf("call %d: page shown with %d read entries recorded, want 1", n, reads-reads0)
				}
			case !triggered:
				t.Fatalf("call %d: status %d without an injected failure", n, status)
			default:
				failures++
				wantGeneric500(t, n, status, ctype, body, "text/html")
				// The case page reads the case, then its sections (people,
				// parties, work), each in its own transaction: a failure in
				// a section comes after the case's read was committed. The
				// audit then says the server read the case for the user,
				// which it did; what must never happen is a read shown
				// without its entry, or a read recorded twice.
				if reads > reads0+1 {
					t.Fatalf("call %d failed but recorded %d reads", n, reads-reads0)
				}
			}
			if !triggered {
				if failures < 2 {
					t.Fatalf("only %d of %d calls failed the request", failures, n-1)
				}
				return
			}
		}
	})
	if code := getStatus(t, p.url()+"/readyz"); code != 200 {
		t.Fatalf("/readyz after the failures = %d", code)
	}
}

// wantGeneric500 checks an answer to a request whose database call failed.
func wantGeneric500(t *testing.T, n, status int, ctype, body, wantType string) {
	t.Helper()
	if status != http.StatusInternalServerError {
		t.Fatalf("call %d failed: status %d, want 500: %s", n, status, body)
	}
	if !strings.HasPrefix(ctype, wantType) {
		t.Errorf("call %d: Content-Type %q, want %s", n, ctype, wantType)
	}
	for _, leak := range []string{"goroutine", ".go:", "panic", "pgx", "pgconn", "SQLSTATE", "sql:", "conn closed", "EOF", "unexpected", "127.0.0.1"} {
		if strings.Contains(body, leak) {
			t.Errorf("call %d: the error answer shows %q: %s", n, leak, body)
		}
	}
}

// rawRequest sends one request with a session cookie and returns the status,
// Content-Type and body.
func rawRequest(t *testing.T, method, target, session string, header map[string]string, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: flarehttp.SessionCookie, Value: session})
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}
