package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
	"github.com/flare-ilo/flare/vault"
)

// seedDataKeys creates n data keys in the database at dbURL, wrapped by the
// key ring at keyFile (created if missing), as the services will.
func seedDataKeys(t *testing.T, dbURL, keyFile string, n int) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	v, _, err := vault.OpenOrCreate(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	driver, dsn := "pgx", dbURL
	if !strings.HasPrefix(dbURL, "postgres") {
		driver, dsn = "sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+"?_pragma=busy_timeout(10000)&_txlock=immediate"
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	keys := sqlstore.NewKeyStore(store, v)
	for i := range n {
		if _, err := keys.CreateDataKey(ctx, tx, "person", fmt.Sprintf("p%02d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// cancelWriter cancels a context at the first progress line, as an
// operator's Ctrl-C or a kill would in the middle of a rotation.
type cancelWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if bytes.Contains(p, []byte("re-wrapped")) {
		w.cancel()
	}
	return w.buf.Write(p)
}

// TestKeysRotateResumes: a rotation stopped after its first batch is
// resumed by running the command again, and the old KEK can be removed only
// once no data key uses it (R-CR3).
func TestKeysRotateResumes(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		db := dbArgs(t, dbURL)
		keyFile := filepath.Join(t.TempDir(), "ring")
		environ := []string{"FLARE_KEY_FILE=" + keyFile}
		if _, errOut, code := runCLI(t, "", nil, append([]string{"migrate", "up"}, db...)...); code != 0 {
			t.Fatalf("migrate: %s", errOut)
		}
		seedDataKeys(t, dbURL, keyFile, 7)

		// First run: stopped after one batch of 3.
		ctx, cancel := context.WithCancel(context.Background())
		out := &cancelWriter{cancel: cancel}
		var errb bytes.Buffer
		env := &cliEnv{stdin: strings.NewReader(""), stdout: out, stderr: &errb,
			getenv: func(k string) string {
				if k == "FLARE_KEY_FILE" {
					return keyFile
				}
				return ""
			}}
		code := run(ctx, env, append([]string{"keys", "rotate", "--batch", "3"}, db...))
		if code == 0 || !strings.Contains(errb.String(), "run it again to resume") {
			t.Fatalf("stopped rotation: exit %d, out %q, err %q; want a failure saying how to resume", code, out.buf.String(), errb.String())
		}
		if !strings.Contains(out.buf.String(), "re-wrapped 3/7 data keys under KEK k2-") {
			t.Fatalf("progress = %q", out.buf.String())
		}

		k1, k2 := kekIDs(t, keyFile)
		steps := []struct {
			args     []string
			wantOut  string // a regular expression
			wantCode int
		}{
			{[]string{"keys", "status"}, `(?m)^k1-\w+ +4 `, 0},
			{[]string{"keys", "remove", k1}, "", 4},
			{[]string{"keys", "rotate", "--batch", "3"}, "resumed the rotation to k2-", 0},
			{[]string{"keys", "status"}, `(?m)^k2-\w+ +yes +7 `, 0},
			{[]string{"keys", "remove", k2}, "", 4},
			{[]string{"keys", "remove", k1}, "removed KEK k1-", 0},
			{[]string{"keys", "rotate"}, "started KEK k3-", 0},
		}
		for _, s := range steps {
			args := append(s.args, db...)
			out, errOut, code := runCLI(t, "", environ, args...)
			if code != s.wantCode || !regexp.MustCompile(s.wantOut).MatchString(out) {
				t.Fatalf("flare %v = exit %d, out %q, err %q; want exit %d and %q", args, code, out, errOut, s.wantCode, s.wantOut)
			}
		}
		// --key-file wins over FLARE_KEY_FILE.
		other := filepath.Join(t.TempDir(), "other")
		if _, errOut, code := runCLI(t, "", environ, append([]string{"keys", "status", "--key-file", other}, db...)...); code != 2 || !strings.Contains(errOut, other) {
			t.Fatalf("--key-file: exit %d err %q; want 2 naming %s", code, errOut, other)
		}
	})
}

func TestKeysBadInput(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, "", nil, "migrate", "up", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	shared := filepath.Join(dir, "shared-ring")
	if _, _, err := vault.OpenOrCreate(shared); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o640); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(t.TempDir(), "foreign-ring")
	seedDataKeys(t, "sqlite:"+filepath.Join(dir, "flare.db"), vault.DefaultPath(dir), 1)
	if _, _, err := vault.OpenOrCreate(foreign); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no action", []string{"keys", "--data", dir}, 2, "say what to do"},
		{"unknown action", []string{"keys", "spin", "--data", dir}, 2, "unknown action \"spin\""},
		{"remove without id", []string{"keys", "remove", "--data", dir}, 2, "needs one KEK id"},
		{"status with argument", []string{"keys", "status", "x", "--data", dir}, 2, "takes no argument"},
		{"bad batch", []string{"keys", "rotate", "--batch", "0", "--data", dir}, 2, "-batch"},
		{"no key ring", []string{"keys", "status", "--data", t.TempDir()}, 2, "no key ring"},
		{"group-readable key ring", []string{"keys", "status", "--data", dir, "--key-file", shared}, 2, "group and others"},
		{"the wrong key ring", []string{"keys", "status", "--data", dir, "--key-file", foreign}, 2, "lacks KEK"},
		{"remove unknown KEK", []string{"keys", "remove", "k9", "--data", dir}, 3, "no KEK \"k9\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, "", nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

// kekIDs returns the ids of the first two KEKs of the key ring at path.
func kekIDs(t *testing.T, path string) (string, string) {
	t.Helper()
	v, err := vault.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	keks, err := v.KEKs()
	if err != nil || len(keks) < 2 {
		t.Fatalf("KEKs = %+v, %v; want two", keks, err)
	}
	return keks[0].ID, keks[1].ID
}

// TestKeysExportImport: the key ring leaves the server only age-encrypted
// (checklist R-CR4), in a file of its own; importing it on a new host gives
// back the same ring, byte for byte, and never replaces an existing one.
func TestKeysExportImport(t *testing.T) {
	dir := t.TempDir()
	ring := vault.DefaultPath(dir)
	v, _, err := vault.OpenOrCreate(ring)
	if err != nil {
		t.Fatal(err)
	}
	keks, err := v.KEKs()
	if err != nil {
		t.Fatal(err)
	}
	plain, err := os.ReadFile(ring)
	if err != nil {
		t.Fatal(err)
	}
	id, idPath := storetest.NewIdentity(t)
	out := filepath.Join(t.TempDir(), "keyring.age")
	if stdout, errOut, code := runCLI(t, "", []string{"FLARE_BACKUP_RECIPIENT=" + id.Recipient().String()},
		"keys", "export", "--out", out, "--data", dir); code != 0 || !strings.Contains(stdout, "exported the key ring") {
		t.Fatalf("export: exit %d, %s %s", code, stdout, errOut)
	}
	exported, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(out)
	if !bytes.HasPrefix(exported, []byte("age-encryption.org/v1\n")) || info.Mode().Perm() != 0o600 {
		t.Fatalf("export is not a 0600 age file: mode %v, starts %q", info.Mode(), exported[:min(len(exported), 30)])
	}
	for _, k := range keks {
		if bytes.Contains(exported, []byte(k.ID)) {
			t.Fatalf("the export shows KEK id %s in clear", k.ID)
		}
	}
	// Plaintext lines of the ring must not show through either.
	for _, line := range bytes.Split(plain, []byte("\n")) {
		if len(line) > 8 && bytes.Contains(exported, line) {
			t.Fatalf("the export contains a line of the key ring in clear: %q", line)
		}
	}

	newHost := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"export without recipient", []string{"keys", "export", "--out", filepath.Join(t.TempDir(), "x"), "--data", dir}, 2, "-recipient: is required"},
		{"export over a file", []string{"keys", "export", "--recipient", id.Recipient().String(), "--out", out, "--data", dir}, 2, "exists"},
		{"import with the wrong identity", []string{"keys", "import", "--in", out, "--identity", otherIdentity(t), "--data", newHost}, 2, "not encrypted for the given identity"},
		{"import over a key ring", []string{"keys", "import", "--in", out, "--identity", idPath, "--data", dir}, 2, "a key ring exists"},
		{"import", []string{"keys", "import", "--in", out, "--identity", idPath, "--data", newHost}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, "", nil, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
	got, err := os.ReadFile(vault.DefaultPath(newHost))
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("imported key ring differs from the original (%v)", err)
	}
	if info, _ := os.Stat(vault.DefaultPath(newHost)); info.Mode().Perm() != 0o600 {
		t.Fatalf("imported key ring mode %v, want 0600", info.Mode())
	}
}

// otherIdentity returns the path of a fresh identity that opens nothing.
func otherIdentity(t *testing.T) string {
	_, path := storetest.NewIdentity(t)
	return path
}
