// Package storetest holds the conformance suite that every storage test runs
// on both backends, and the helpers that give each test a fresh database:
// a temporary SQLite file always, and a private schema on PostgreSQL when
// FLARE_TEST_DATABASE_URL is set.
//
// Without that variable the PostgreSQL runs skip with a message, unless
// FLARE_TEST_REQUIRE_POSTGRES=1, which turns the skip into a failure so that
// CI cannot pass without PostgreSQL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for schema set-up

	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

// Environment variables that configure the PostgreSQL runs.
const (
	EnvPostgresURL     = "FLARE_TEST_DATABASE_URL"
	EnvRequirePostgres = "FLARE_TEST_REQUIRE_POSTGRES"
)

// backends are the names ForEachBackend runs under.
var backends = []string{"sqlite", "postgres"}

// ForEachBackend runs fn as a subtest per backend, each with the URL of a
// fresh, empty database that is removed when the subtest ends.
func ForEachBackend(t *testing.T, fn func(t *testing.T, dbURL string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b, func(t *testing.T) {
			fn(t, NewURL(t, b))
		})
	}
}

// NewURL returns the URL of a fresh, empty database on backend ("sqlite" or
// "postgres"), skipping or failing the test as the environment says when
// PostgreSQL is not configured.
func NewURL(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "flare.db")
	case "postgres":
		return newPostgresSchema(t)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// Open opens and migrates a fresh database on backend, closed at cleanup.
func Open(t testing.TB, backend string) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, NewURL(t, backend))
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return db
}

// newPostgresSchema creates a schema with a random name, drops it at
// cleanup, and returns a URL whose search_path points into it, so tests in
// parallel packages never see each other's tables.
func newPostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresURL)
	if base == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests must run", EnvPostgresURL, EnvRequirePostgres)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://... to run them", EnvPostgresURL)
	}
	var b [8]byte
	rand.Read(b[:])
	schema := "flare_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgresURL, err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create test schema (is PostgreSQL at %s running?): %v", EnvPostgresURL, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("drop test schema: %v", err)
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Keys returns a key store on db with a fresh key ring in a temporary
// directory, as serve creates one on first start.
func Keys(t testing.TB, db *sqlstore.DB) *sqlstore.KeyStore {
	t.Helper()
	v, _, err := vault.OpenOrCreate(filepath.Join(t.TempDir(), vault.DefaultFileName))
	if err != nil {
		t.Fatalf("key ring: %v", err)
	}
	return sqlstore.NewKeyStore(db, v)
}
