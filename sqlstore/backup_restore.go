package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
)

// This file restores a backup. A restore only ever fills an empty target,
// and checks what it loaded against the manifest before it counts as done,
// so that a bad or mismatched backup never replaces anything.

// latestSchemaVersion is the newest migration this binary knows for backend.
func latestSchemaVersion(backend string) (int64, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations/"+backend)
	if err != nil {
		return 0, fmt.Errorf("migrations: %w", err)
	}
	var latest int64
	for _, e := range entries {
		var v int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &v); err == nil && v > latest {
			latest = v
		}
	}
	return latest, nil
}

// checkRestored compares a restored database with its manifest.
func checkRestored(ctx context.Context, tx *sql.Tx, m backup.Manifest) error {
	got, err := describe(ctx, tx, m.Backend, m.Schema)
	if err != nil {
		return fmt.Errorf("check the restored database: %w", err)
	}
	if got.AuditSize != m.AuditSize || got.AuditRoot != m.AuditRoot {
		return fmt.Errorf("check the restored database: audit log of size %d and root %s, but the backup recorded size %d and root %s",
			got.AuditSize, got.AuditRoot, m.AuditSize, m.AuditRoot)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range m.Tables {
			if !yield(k) {
				return
			}
		}
	})
	for _, t := range names {
		if got.Tables[t] != m.Tables[t] {
			return fmt.Errorf("check the restored database: table %s is %q, the backup recorded %q", t, got.Tables[t], m.Tables[t])
		}
	}
	if len(got.Tables) != len(m.Tables) {
		return fmt.Errorf("check the restored database: %d tables, the backup recorded %d", len(got.Tables), len(m.Tables))
	}
	return nil
}

// Restore loads the age-encrypted backup read from artefact into the empty
// database rawURL names, decrypting with identities, and returns the
// backup's manifest. It refuses a target that holds anything (an
// invalid-input error, exit 2), a backup of the other backend, and one
// whose schema is newer than this binary. After loading, it checks the
// restored database against the manifest: every table's checksum, and the
// audit log's size and root.
//
// SQLite: rawURL's file must not exist; the backup is written next to it
// and linked into place only once checked. PostgreSQL: rawURL's schema (the
// first of its search_path, public by default) must exist, be empty and
// have the name the backup was taken from; pg_restore loads it in one
// transaction.
func Restore(ctx context.Context, rawURL string, artefact io.Reader, identities ...age.Identity) (backup.Manifest, error) {
	driver, _, _, err := parseURL(rawURL)
	if err != nil {
		return backup.Manifest{}, err
	}
	backend := "sqlite"
	if driver == "pgx" {
		backend = "postgres"
	}
	// Refuse a non-empty target before reading a byte of the backup.
	var target *DB
	if backend == "sqlite" {
		if err := checkSQLiteTargetEmpty(sqlitePathOf(rawURL)); err != nil {
			return backup.Manifest{}, err
		}
	} else {
		if target, err = Open(ctx, rawURL); err != nil {
			return backup.Manifest{}, err
		}
		defer target.Close()
		if _, err := target.emptyPostgresSchema(ctx); err != nil {
			return backup.Manifest{}, err
		}
	}
	plain, err := backup.Decrypt(artefact, identities...)
	if err != nil {
		return backup.Manifest{}, err
	}
	m, data, err := backup.ReadHeader(plain)
	if err != nil {
		return backup.Manifest{}, err
	}
	if m.Backend != backend {
		return m, flare.Errorf(flare.EINVALID, "this is a %s backup; restore it into a %s database", m.Backend, m.Backend)
	}
	latest, err := latestSchemaVersion(backend)
	if err != nil {
		return m, err
	}
	if m.SchemaVersion > latest {
		return m, flare.Errorf(flare.EINVALID, "the backup is at schema version %d, newer than this flare knows (%d): restore it with the flare release that made it", m.SchemaVersion, latest)
	}
	if backend == "sqlite" {
		return m, restoreSQLite(ctx, sqlitePathOf(rawURL), m, data)
	}
	return m, target.restorePostgres(ctx, rawURL, m, data)
}

// sqlitePathOf is the file a SQLite URL names (see parseURL).
func sqlitePathOf(rawURL string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return filepath.Clean(path)
}

// checkSQLiteTargetEmpty refuses a SQLite target that exists, even empty:
// an existing file may be a database someone still needs.
func checkSQLiteTargetEmpty(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm", path + "-journal"} {
		if _, err := os.Lstat(p); err == nil {
			return flare.Errorf(flare.EINVALID, "refusing to restore over %s: it exists. Restore into an empty data directory, or move the old database aside first", p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("check restore target: %w", err)
		}
	}
	return nil
}

// restoreSQLite writes the snapshot next to path, checks it, and links it
// into place.
func restoreSQLite(ctx context.Context, path string, m backup.Manifest, data io.Reader) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.CreateTemp(dir, ".flare-restore-*.db")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp := f.Name()
	defer removeSQLiteFiles(tmp)
	_, err = io.Copy(f, data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: write the database: %w", err)
	}
	raw := openSQLiteFileReadOnly(tmp)
	defer raw.Close()
	var ok string
	if err := raw.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		return fmt.Errorf("restore: the restored SQLite file fails its integrity check: %q %v", ok, err)
	}
	tx, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	err = checkRestored(ctx, tx, m)
	tx.Rollback()
	raw.Close()
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return flare.Errorf(flare.EINVALID, "refusing to restore over %s: it appeared during the restore", path)
		}
		return fmt.Errorf("restore: put the database in place: %w", err)
	}
	return syncDir(dir)
}

// emptyPostgresSchema returns the schema the connection writes into, or an
// invalid-input error if it is missing or holds anything.
func (db *DB) emptyPostgresSchema(ctx context.Context) (string, error) {
	var schema sql.NullString
	if err := db.sql.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return "", fmt.Errorf("check restore target: %w", err)
	}
	if !schema.Valid {
		return "", flare.Errorf(flare.EINVALID, "the database URL selects no existing schema: create the (empty) schema to restore into first")
	}
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1`, schema.String).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("check restore target: %w", err)
	}
	if n > 0 {
		return "", flare.Errorf(flare.EINVALID, "refusing to restore into schema %q: it is not empty (%d tables, indexes or sequences). Restore into an empty database or schema", schema.String, n)
	}
	return schema.String, nil
}

// restorePostgres loads a pg_dump archive into the target's empty schema
// with pg_restore, in one transaction, then checks the result.
func (db *DB) restorePostgres(ctx context.Context, rawURL string, m backup.Manifest, data io.Reader) error {
	schema, err := db.emptyPostgresSchema(ctx)
	if err != nil {
		return err
	}
	if schema != m.Schema {
		return flare.Errorf(flare.EINVALID, "the backup holds schema %q but the database URL selects schema %q: restore into an empty schema named %q (search_path=%s)", m.Schema, schema, m.Schema, m.Schema)
	}
	conn, env, err := libpqConn(rawURL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "pg_restore", "--single-transaction", "--exit-on-error",
		"--no-owner", "--no-privileges", "--schema="+m.Schema, "--dbname="+conn)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = data
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore failed, nothing was restored: %w: %s", err, stderr.String())
	}
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("check the restored database: %w", err)
	}
	defer tx.Rollback()
	return checkRestored(ctx, tx, m)
}
