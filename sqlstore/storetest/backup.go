package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore"
)

// This file holds what the backup and restore tests share: data to back
// up, a wipe, and the checks of checklist R-CR4 on an artefact.

// SQLiteMagic and PGDumpMagic begin a SQLite file and a pg_dump
// custom-format archive: what a backup must not look like without its
// identity.
const (
	SQLiteMagic = "SQLite format 3\x00"
	PGDumpMagic = "PGDMP"
)

// SeedForBackup writes n cases (and with them audit entries) into the
// migrated database db, each titled with a marker unique to this call, and
// returns the marker: text that is in the database in clear, so that it
// being absent from an encrypted artefact means something.
func SeedForBackup(t testing.TB, db *sqlstore.DB, n int) string {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	marker := "BACKUPMARKER" + hex.EncodeToString(b[:])
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	a := &flare.Agency{Name: "Labour inspectorate " + marker, Kind: flare.AgencyLabourInspectorate}
	if err := sqlstore.NewAgencyService(db).CreateAgency(ctx, a); err != nil {
		t.Fatalf("seed agency: %v", err)
	}
	cases := sqlstore.NewCaseService(db)
	for i := range n {
		c := &flare.Case{AgencyID: a.ID, Reference: fmt.Sprintf("%s-%03d", marker[len(marker)-6:], i),
			Title: "Brick kiln " + marker, Status: flare.CaseOpen, OpenedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
		if err := cases.CreateCase(ctx, c); err != nil {
			t.Fatalf("seed case %d: %v", i, err)
		}
	}
	return marker
}

// Wipe destroys the database at dbURL the way a lost disk would, leaving
// an empty target to restore into: the SQLite file is removed; the
// PostgreSQL schema is dropped and created again, empty, under its name.
func Wipe(t testing.TB, dbURL string) {
	t.Helper()
	if BackendOf(dbURL) == "sqlite" {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
				t.Fatalf("wipe: %v", err)
			}
		}
		return
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	if schema == "" {
		t.Fatal("wipe: the PostgreSQL test URL has no search_path")
	}
	raw := RawDB(t, dbURL)
	if _, err := raw.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
		t.Fatalf("wipe: %v", err)
	}
	if _, err := raw.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("wipe: %v", err)
	}
	raw.Close()
}

// Checksums returns the table checksums of the database at dbURL.
func Checksums(t testing.TB, dbURL string) map[string]string {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sums, err := db.TableChecksums(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(sums) == 0 {
		t.Fatal("no tables to checksum")
	}
	return sums
}

// NewIdentity returns a fresh age identity, written 0600 to a file in a
// temporary directory, and that file's path.
func NewIdentity(t testing.TB) (*age.X25519Identity, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "backup.key")
	recipient, err := backup.GenerateIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := backup.LoadIdentities(path)
	if err != nil {
		t.Fatal(err)
	}
	id := ids[0].(*age.X25519Identity)
	if id.Recipient().String() != recipient {
		t.Fatalf("identity file holds %s, keygen printed %s", id.Recipient(), recipient)
	}
	return id, path
}

// CheckArtefact is checklist R-CR4 on the backup file at path, made from a
// database of backend that holds marker in clear: without the identity it
// is an age file that is neither a SQLite file nor a pg_dump archive, and
// holds neither the marker nor SQL or CSV text; with it, it decrypts to the
// manifest and the snapshot, which the database's marker and magic prove
// are real. It returns the decrypted snapshot.
func CheckArtefact(t testing.TB, path string, id age.Identity, backend, marker string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("backup file mode %04o, want 0600", info.Mode().Perm())
	}
	if !backup.IsEncrypted(raw) {
		t.Fatalf("backup does not start with the age header: %q", raw[:min(len(raw), 40)])
	}
	for _, clear := range []string{SQLiteMagic, PGDumpMagic, marker, "flare-backup", "CREATE TABLE", "INSERT INTO", "audit_entries", "seq,at,user_id"} {
		if bytes.Contains(raw, []byte(clear)) {
			t.Errorf("the encrypted backup contains %q in clear", clear)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain, err := backup.Decrypt(f, id)
	if err != nil {
		t.Fatalf("decrypt with the identity: %v", err)
	}
	m, data, err := backup.ReadHeader(plain)
	if err != nil {
		t.Fatalf("read manifest: %v", err)
	}
	if m.Backend != backend {
		t.Errorf("manifest backend %q, want %q", m.Backend, backend)
	}
	snap, err := io.ReadAll(data)
	if err != nil {
		t.Fatalf("decrypt the snapshot: %v", err)
	}
	magic := SQLiteMagic
	if backend == "postgres" {
		magic = PGDumpMagic
	}
	if !bytes.HasPrefix(snap, []byte(magic)) {
		t.Fatalf("decrypted snapshot starts %q, want %q", snap[:min(len(snap), 16)], magic)
	}
	if backend == "sqlite" && !bytes.Contains(snap, []byte(marker)) {
		t.Fatalf("the decrypted SQLite snapshot lacks the marker: the grep of the artefact proves nothing")
	}
	return snap
}

// CountRows returns the number of rows in table, read directly.
func CountRows(t testing.TB, dbURL, table string) int {
	t.Helper()
	raw := RawDB(t, dbURL)
	defer raw.Close()
	return countRows(t, raw, table)
}
