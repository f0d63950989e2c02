package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// auditArgs points a command at dbURL, with the key and checkpoints in dir.
func auditArgs(t *testing.T, dbURL, dir string) []string {
	return append(dbArgs(t, dbURL), "--audit-key", filepath.Join(dir, "k"), "--checkpoints", filepath.Join(dir, "cp"))
}

// migratedStore migrates dbURL through the CLI and opens it.
func migratedStore(t *testing.T, dbURL string) *sqlstore.DB {
	t.Helper()
	if _, errOut, code := runCLI(t, "", nil, append([]string{"migrate", "up"}, dbArgs(t, dbURL)...)...); code != 0 {
		t.Fatalf("migrate up: %d %s", code, errOut)
	}
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuditVerifyAndCheckpoint(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		db := migratedStore(t, dbURL)
		dir := t.TempDir()
		args := auditArgs(t, dbURL, dir)
		cli := func(action string) (string, string, int) {
			return runCLI(t, "", nil, append([]string{"audit", action}, args...)...)
		}
		out, errOut, code := cli("checkpoint")
		if code != 0 || !strings.Contains(out, "no new checkpoint: tree size 0") {
			t.Fatalf("checkpoint of an empty log = %d %q %q", code, out, errOut)
		}
		if info, err := os.Stat(filepath.Join(dir, "k")); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("key file: %v, %v", info, err)
		}
		storetest.AppendAuditEntries(t, db, 12)
		if _, errOut, code = cli("verify"); code != 1 || !strings.Contains(errOut, "no signed checkpoint") {
			t.Fatalf("verify without a checkpoint = %d %q; want exit 1", code, errOut)
		}
		if out, errOut, code = cli("checkpoint"); code != 0 || !strings.Contains(out, "published checkpoint: tree size 12") {
			t.Fatalf("checkpoint = %d %q %q", code, out, errOut)
		}
		out, errOut, code = cli("verify")
		if code != 0 || !strings.HasPrefix(out, "audit log OK: tree size 12,") || strings.Count(out, "\n") != 1 {
			t.Fatalf("verify = %d %q %q; want one OK line", code, out, errOut)
		}
		// The verifier key printed for an oversight body checks the
		// published checkpoints, and holds no private key.
		vkey, errOut, code := cli("verifier-key")
		if code != 0 || strings.Contains(vkey, "PRIVATE") {
			t.Fatalf("verifier-key = %d %q %q", code, vkey, errOut)
		}
		verifier, err := note.NewVerifier(strings.TrimSpace(vkey))
		if err != nil {
			t.Fatal(err)
		}
		if cps, err := audit.TrustedCheckpoints(audit.NewFileSink(filepath.Join(dir, "cp")), verifier); err != nil || len(cps) != 1 {
			t.Fatalf("checkpoints under the printed verifier key: %v, %v", cps, err)
		}
		// Tamper with seq 5 as a database administrator could.
		raw := storetest.RawDB(t, dbURL)
		storetest.DropAuditTriggers(t, raw, storetest.BackendOf(dbURL))
		if _, err := raw.Exec(`UPDATE audit_entries SET record_id = 'another-case' WHERE seq = 5`); err != nil {
			t.Fatal(err)
		}
		_, errOut, code = cli("verify")
		if code != 1 || !strings.Contains(errOut, "FAILED at seq 5:") {
			t.Fatalf("verify after tampering = %d %q; want exit 1 at seq 5", code, errOut)
		}
		storetest.RewriteAuditHashes(t, raw)
		if _, errOut, code = cli("verify"); code != 1 || !strings.Contains(errOut, "signed checkpoint") {
			t.Fatalf("verify after rewriting the hashes = %d %q; want exit 1", code, errOut)
		}
		if _, errOut, code = cli("checkpoint"); code != 1 || !strings.Contains(errOut, "refusing to sign") {
			t.Fatalf("checkpoint of a rewritten log = %d %q; want a refusal", code, errOut)
		}
	})
}

// TestAuditDefaultsAndEnvironment: the key and checkpoints default into the
// data directory, and FLARE_AUDIT_KEY / FLARE_AUDIT_CHECKPOINTS move them.
func TestAuditDefaultsAndEnvironment(t *testing.T) {
	data := t.TempDir()
	if _, errOut, code := runCLI(t, "", nil, "migrate", "up", "--data", data); code != 0 {
		t.Fatal(errOut)
	}
	if out, errOut, code := runCLI(t, "", nil, "audit", "export", "--out", "-", "--data", data); code != 0 || !strings.HasPrefix(out, "seq,at,") {
		t.Fatalf("export = %d %q %q", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, "", nil, "audit", "checkpoint", "--data", data); code != 0 || !strings.Contains(out, filepath.Join(data, audit.CheckpointsFileName)) {
		t.Fatalf("checkpoint = %d %q %q", code, out, errOut)
	}
	for _, f := range []string{audit.KeyFileName, audit.CheckpointsFileName} {
		if _, err := os.Stat(filepath.Join(data, f)); err != nil {
			t.Errorf("default %s: %v", f, err)
		}
	}
	elsewhere := t.TempDir()
	environ := []string{"FLARE_DATA=" + data, "FLARE_AUDIT_KEY=" + filepath.Join(elsewhere, "key"), "FLARE_AUDIT_CHECKPOINTS=" + filepath.Join(elsewhere, "cps")}
	if out, errOut, code := runCLI(t, "", environ, "audit", "checkpoint"); code != 0 || !strings.Contains(out, filepath.Join(elsewhere, "cps")) {
		t.Fatalf("checkpoint from the environment = %d %q %q", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, "", environ, "audit", "verify"); code != 0 || !strings.HasPrefix(out, "audit log OK: tree size 1,") {
		t.Fatalf("verify from the environment = %d %q %q", code, out, errOut)
	}
}

func TestAuditExport(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		db := migratedStore(t, dbURL)
		storetest.AppendAuditEntries(t, db, 5)
		e := storetest.AuditEntry(5, "ag", "0192e0a0-ca5e-7000-8000-000000000001")
		e.Justification = `=HYPERLINK("http://evil.example","click")`
		if err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := db.AppendAudit(ctx, tx, e); return err }); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		file := filepath.Join(dir, "trail.csv")
		args := append([]string{"audit", "export", "--out", file}, auditArgs(t, dbURL, dir)...)
		out, errOut, code := runCLI(t, "", nil, args...)
		// The export records itself before writing, so it is in the file.
		if code != 0 || !strings.Contains(out, "exported 7 audit entries") {
			t.Fatalf("export = %d %q %q", code, out, errOut)
		}
		info, err := os.Stat(file)
		if err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("export file: %v, %v", info, err)
		}
		f, _ := os.Open(file)
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) != 8 {
			t.Fatalf("CSV = %d rows, %v", len(rows), err)
		}
		if got := rows[6][len(rows[6])-1]; got != "'"+e.Justification {
			t.Errorf("formula cell = %q, want it neutralised", got)
		}
		if last := rows[7]; last[4] != "true" || last[6] != "export" || last[8] != "audit_log" {
			t.Errorf("the export's own entry = %q", last)
		}
		if _, errOut, code := runCLI(t, "", nil, args...); code != 2 || !strings.Contains(errOut, "exists") {
			t.Fatalf("export over an existing file = %d %q; want exit 2", code, errOut)
		}
		caseFile := filepath.Join(dir, "case.csv")
		caseArgs := append([]string{"audit", "export", "--case", "0192e0a0-ca5e-7000-8000-000000000001", "--out", caseFile}, auditArgs(t, dbURL, dir)...)
		if out, errOut, code := runCLI(t, "", nil, caseArgs...); code != 0 || !strings.Contains(out, "exported 3 audit entries") {
			t.Fatalf("export of one case = %d %q %q", code, out, errOut)
		}
	})
}

func TestAuditBadInput(t *testing.T) {
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, "", nil, "migrate", "up", "--data", dir); code != 0 {
		t.Fatal(errOut)
	}
	loose := filepath.Join(dir, "loose.key")
	if _, _, err := audit.LoadOrCreateKey(loose, audit.DefaultKeyName); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no action", []string{"audit", "--data", dir}, "usage: flare audit"},
		{"unknown action", []string{"audit", "erase", "--data", dir}, `unknown action "erase"`},
		{"two actions", []string{"audit", "verify", "export", "--data", dir}, "usage: flare audit"},
		{"export without --out", []string{"audit", "export", "--data", dir}, "-out: is required"},
		{"export of a bad case id", []string{"audit", "export", "--out", "-", "--case", "Maria Q", "--data", dir}, "-case: is not a case id"},
		{"export to a missing directory", []string{"audit", "export", "--out", filepath.Join(dir, "no", "x.csv"), "--data", dir}, "-out:"},
		{"verify without a key", []string{"audit", "verify", "--data", dir}, "no audit signing key"},
		{"verify with a key others can read", []string{"audit", "verify", "--audit-key", loose, "--data", dir}, "chmod 600"},
		{"missing database", []string{"audit", "checkpoint", "--data", filepath.Join(dir, "typo")}, "no Flare database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, "", nil, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
		})
	}
}
