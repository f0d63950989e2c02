package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	flarehttp "github.com/flare-ilo/flare/http"
	"github.com/flare-ilo/flare/sqlstore/storetest"
	"github.com/flare-ilo/flare/vault"
)

// TestSeveralInstances starts two flare serve processes at the same moment
// on one fresh PostgreSQL schema, as two hosts behind a load balancer:
// migrations run once and both come up; a session signed in on one is
// valid on the other, and signing out on the other ends it on both; the
// scheduled checkpoint job runs on exactly one, and the other takes it over
// when the first stops.
func TestSeveralInstances(t *testing.T) {
	dbURL := storetest.NewURL(t, "postgres")
	// The key ring and the audit signing key are shared, as an operator
	// copies them to every host; each instance has its own data directory
	// and so its own checkpoint file.
	shared := t.TempDir()
	if _, _, err := vault.OpenOrCreate(vault.DefaultPath(shared)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.LoadOrCreateKey(filepath.Join(shared, audit.KeyFileName), audit.DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	dataDirs := map[string]string{}
	instance := func(name string) []string {
		dataDirs[name] = filepath.Join(t.TempDir(), name)
		return []string{"--database", dbURL, "--data", dataDirs[name],
			"--key-file", vault.DefaultPath(shared), "--audit-key", filepath.Join(shared, audit.KeyFileName),
			"--checkpoint-interval", "1s"}
	}
	a, aErr := launchServe(t, nil, instance("a")...)
	b, bErr := launchServe(t, nil, instance("b")...)
	a.await(t, aErr)
	b.await(t, bErr)

	// Migrations ran once: one row per version in goose's table.
	raw := storetest.RawDB(t, dbURL)
	var versions, rows int
	if err := raw.QueryRow(`SELECT COUNT(DISTINCT version_id), COUNT(*) FROM goose_db_version WHERE version_id > 0`).Scan(&versions, &rows); err != nil {
		t.Fatal(err)
	}
	if want := migrationCount(t); versions != want || rows != want {
		t.Fatalf("goose_db_version holds %d rows for %d versions, want %d each: migrations ran twice", rows, versions, want)
	}

	// A session signed in through one instance works on the other.
	st := seedStaff(t, dbURL, shared, flare.RoleCaseworker)
	session := signInHTTP(t, a.url(), st)
	for _, p := range []*serveProc{a, b} {
		if status, _, err := newAPIClient(p.url(), session, nil).call("GET", "/api/v1/cases", nil, nil, nil); err != nil || status != 200 {
			t.Fatalf("case list on %s with the session from a = %d, %v", p.addr, status, err)
		}
	}
	// Signing out on b ends the session on a too: sessions live in the
	// database, not in an instance's memory.
	out := newAPIClient(b.url(), session, nil)
	if status, _, err := out.call("POST", "/logout", nil, nil, nil); err != nil || status != http.StatusOK { // 303 to the sign-in page, followed
		t.Fatalf("sign out on b = %d, %v", status, err)
	}
	if status, _, _ := newAPIClient(a.url(), session, nil).call("GET", "/api/v1/cases", nil, nil, nil); status != http.StatusUnauthorized {
		t.Fatalf("case list on a after signing out on b = %d, want 401", status)
	}

	// The checkpoint job runs on exactly one instance.
	const running, standing = "scheduled job running on this instance", "scheduled job runs on another instance; standing by"
	job := []string{"job", auditCheckpointJob}
	var holder, other *serveProc
	waitUntil(t, func() bool {
		switch {
		case logHas(a.log.String(), running, job...) && logHas(b.log.String(), standing, job...):
			holder, other = a, b
		case logHas(b.log.String(), running, job...) && logHas(a.log.String(), standing, job...):
			holder, other = b, a
		}
		return holder != nil
	})
	time.Sleep(1500 * time.Millisecond) // more than one retry interval
	if logHas(other.log.String(), running, job...) {
		t.Fatal("the checkpoint job runs on both instances")
	}
	// When the holder stops, the other takes the job over.
	holder.stop(t)
	waitUntil(t, func() bool { return logHas(other.log.String(), running, job...) })
	other.stop(t)
	// Each instance's checkpoint file verifies the log on its own.
	for name, dir := range dataDirs {
		out, e, code := runCLI(t, "", nil, "audit", "verify", "--database", dbURL, "--data", dir,
			"--audit-key", filepath.Join(shared, audit.KeyFileName))
		if code != 0 || !strings.Contains(out, "audit log OK") {
			t.Errorf("audit verify with instance %s's checkpoints = %d %q %q", name, code, out, e)
		}
	}
}

// signInHTTP signs st in through a server's sign-in forms, password then
// TOTP code, as a browser does, and returns the session cookie's value.
func signInHTTP(t *testing.T, base string, st *staff) string {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values, cookies []*http.Cookie) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s = %d, want 303", path, res.StatusCode)
		}
		return res
	}
	res := post("/login", url.Values{"email": {st.user.Email}, "password": {password}}, nil)
	code, err := auth.TOTPCode(st.totpSecret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res = post("/login/code", url.Values{"code": {code}}, res.Cookies())
	for _, c := range res.Cookies() {
		if c.Name == flarehttp.SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	t.Fatal("no session cookie after the second factor")
	return ""
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 15s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
