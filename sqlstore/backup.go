package sqlstore

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5/stdlib"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/backup"
)

// This file takes and restores backups (see package backup for the
// artefact): an online snapshot that is consistent with itself, encrypted
// before it reaches the disk, and a restore that checks what it loaded.

// rowsQuerier is what reading a snapshot needs: a *sql.DB or a *sql.Tx.
type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Backup writes an age-encrypted backup of the database to the new file out
// (it refuses to overwrite one) and returns its manifest. The database stays
// online: SQLite is copied with VACUUM INTO, PostgreSQL dumped by pg_dump,
// each from one snapshot.
//
// The artefact is written to a temporary file next to out and linked into
// place only when complete, so a failed backup leaves no file that looks
// like a backup. SQLite's plain copy lives in out's directory (never a /tmp
// that may be another, unencrypted, filesystem) only while it is being
// encrypted, and is removed on every path out of this function.
func (db *DB) Backup(ctx context.Context, out string, recipients ...age.Recipient) (backup.Manifest, error) {
	if out == "" {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "no output file for the backup")
	}
	if _, err := os.Lstat(out); err == nil {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "%s exists; a backup never overwrites a file (choose a new name)", out)
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, ".flare-backup-*.partial")
	if err != nil {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "cannot write the backup in %s: %v", dir, err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	enc, err := backup.Encrypt(bw, recipients...)
	if err != nil {
		return backup.Manifest{}, err
	}
	m, err := db.snapshot(ctx, dir, func(m backup.Manifest, data io.Reader) error {
		if err := backup.WriteHeader(enc, m); err != nil {
			return err
		}
		if _, err := io.Copy(enc, data); err != nil {
			return fmt.Errorf("encrypt the snapshot: %w", err)
		}
		return nil
	})
	if err != nil {
		return backup.Manifest{}, err
	}
	if err := enc.Close(); err != nil {
		return backup.Manifest{}, fmt.Errorf("finish the backup: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return backup.Manifest{}, fmt.Errorf("write the backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return backup.Manifest{}, fmt.Errorf("write the backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return backup.Manifest{}, fmt.Errorf("write the backup: %w", err)
	}
	// A hard link, unlike a rename, fails if out appeared meanwhile.
	if err := os.Link(tmp.Name(), out); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return backup.Manifest{}, flare.Errorf(flare.EINVALID, "%s exists; a backup never overwrites a file (choose a new name)", out)
		}
		return backup.Manifest{}, fmt.Errorf("put the backup in place: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return backup.Manifest{}, err
	}
	return m, nil
}

// snapshot takes a consistent snapshot of the database, describes it in a
// manifest, and hands both to write. tempDir is where SQLite's copy lives
// while write runs; it is removed before snapshot returns.
func (db *DB) snapshot(ctx context.Context, tempDir string, write func(backup.Manifest, io.Reader) error) (backup.Manifest, error) {
	if db.dialect.name() == "postgres" {
		return db.snapshotPostgres(ctx, write)
	}
	return db.snapshotSQLite(ctx, tempDir, write)
}

// snapshotSQLite copies the database with VACUUM INTO: one read
// transaction, so the copy is consistent, and writers go on meanwhile
// (WAL). The manifest is read from the copy itself, so it describes exactly
// what is backed up.
func (db *DB) snapshotSQLite(ctx context.Context, tempDir string, write func(backup.Manifest, io.Reader) error) (backup.Manifest, error) {
	// CreateTemp makes the file 0600; VACUUM INTO fills an empty file and
	// keeps its mode, where a file it created would follow the umask.
	f, err := os.CreateTemp(tempDir, ".flare-snapshot-*.db")
	if err != nil {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "cannot write the snapshot in %s: %v", tempDir, err)
	}
	path := f.Name()
	f.Close()
	defer removeSQLiteFiles(path)
	if _, err := db.sql.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return backup.Manifest{}, fmt.Errorf("snapshot the SQLite database: %w", err)
	}
	m, err := inspectSQLiteFile(ctx, path)
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("read the snapshot: %w", err)
	}
	data, err := os.Open(path)
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("read the snapshot: %w", err)
	}
	defer data.Close()
	if err := write(m, data); err != nil {
		return backup.Manifest{}, err
	}
	return m, nil
}

// removeSQLiteFiles removes a SQLite file and whatever journal it may have.
func removeSQLiteFiles(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// openSQLiteFileReadOnly opens a SQLite file that nothing else writes,
// read-only and without locks or side files.
func openSQLiteFileReadOnly(path string) *sql.DB {
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: "mode=ro&immutable=1&_time_format=sqlite"}
	raw, _ := sql.Open("sqlite", u.String()) // sql.Open only records its arguments
	raw.SetMaxOpenConns(1)
	return raw
}

// inspectSQLiteFile returns the manifest of the SQLite database at path.
func inspectSQLiteFile(ctx context.Context, path string) (backup.Manifest, error) {
	raw := openSQLiteFileReadOnly(path)
	defer raw.Close()
	tx, err := raw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return backup.Manifest{}, err
	}
	defer tx.Rollback()
	return describe(ctx, tx, "sqlite", "")
}

// describe builds the manifest of the database tx reads.
func describe(ctx context.Context, tx *sql.Tx, backend, schema string) (backup.Manifest, error) {
	m := backup.Manifest{Format: backup.FormatVersion, Backend: backend, Schema: schema, CreatedAt: time.Now().UTC()}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version`).Scan(&m.SchemaVersion); err != nil {
		return m, flare.Errorf(flare.EINVALID, "the database has no Flare schema (run \"flare migrate up\" first): %v", err)
	}
	snap := &auditSnapshot{tx: tx}
	size, err := snap.TreeSize(ctx)
	if err != nil {
		return m, err
	}
	root, err := tlog.TreeHash(size, snap.reader(ctx))
	if err != nil {
		return m, fmt.Errorf("audit root of tree size %d: %w", size, err)
	}
	m.AuditSize, m.AuditRoot = size, root
	m.Tables, err = tableChecksums(ctx, tx, backend)
	return m, err
}

// tableChecksums returns, for every table q sees, its row count and the
// SHA-256 of its rows in a fixed order. The same backend and driver give
// the same text for the same values, so a restore can prove it loaded
// exactly what was backed up.
func tableChecksums(ctx context.Context, q rowsQuerier, backend string) (map[string]string, error) {
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if backend == "postgres" {
		list = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`
	}
	rows, err := q.QueryContext(ctx, list)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	sums := make(map[string]string, len(tables))
	for _, t := range tables {
		sum, err := tableChecksum(ctx, q, t)
		if err != nil {
			return nil, err
		}
		sums[t] = sum
	}
	return sums, nil
}

// identRE is a table name safe to quote into SQL.
var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

func tableChecksum(ctx context.Context, q rowsQuerier, table string) (string, error) {
	if !identRE.MatchString(table) {
		return "", fmt.Errorf("checksum table %q: not a plain name", table)
	}
	probe, err := q.QueryContext(ctx, `SELECT * FROM "`+table+`" LIMIT 0`)
	if err != nil {
		return "", fmt.Errorf("checksum table %s: %w", table, err)
	}
	cols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return "", fmt.Errorf("checksum table %s: %w", table, err)
	}
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := q.QueryContext(ctx, `SELECT * FROM "`+table+`" ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		return "", fmt.Errorf("checksum table %s: %w", table, err)
	}
	defer rows.Close()
	h := sha256.New()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", fmt.Errorf("checksum table %s: %w", table, err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(h, "b%d:%x|", len(v), v)
			case time.Time:
				fmt.Fprintf(h, "t%s|", v.UTC().Format(time.RFC3339Nano))
			case string:
				fmt.Fprintf(h, "s%d:%s|", len(v), v)
			default:
				fmt.Fprintf(h, "%T:%v|", v, v)
			}
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("checksum table %s: %w", table, err)
	}
	return fmt.Sprintf("rows:%d sha256:%s", n, hex.EncodeToString(h.Sum(nil))), nil
}

// TableChecksums returns the checksum of every table in the database (see
// the manifest's Tables): what a restore drill compares before and after.
func (db *DB) TableChecksums(ctx context.Context) (map[string]string, error) {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("table checksums: %w", err)
	}
	defer tx.Rollback()
	return tableChecksums(ctx, tx, db.dialect.name())
}

// snapshotPostgres exports a REPEATABLE READ snapshot, reads the manifest in
// it, and runs pg_dump on the very same snapshot (--snapshot), so the
// manifest and the dump agree even while the server keeps writing.
func (db *DB) snapshotPostgres(ctx context.Context, write func(backup.Manifest, io.Reader) error) (backup.Manifest, error) {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("begin backup snapshot: %w", err)
	}
	defer tx.Rollback()
	var snapID string
	var schema sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot(), current_schema()`).Scan(&snapID, &schema); err != nil {
		return backup.Manifest{}, fmt.Errorf("export backup snapshot: %w", err)
	}
	if !schema.Valid {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "the database URL selects no existing schema (check search_path)")
	}
	m, err := describe(ctx, tx, "postgres", schema.String)
	if err != nil {
		return backup.Manifest{}, err
	}
	if err := m.Validate(); err != nil {
		return backup.Manifest{}, flare.Errorf(flare.EINVALID, "cannot back up: %v", err)
	}
	rawURL, err := db.connString(ctx)
	if err != nil {
		return backup.Manifest{}, err
	}
	conn, env, err := libpqConn(rawURL)
	if err != nil {
		return backup.Manifest{}, err
	}
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--snapshot="+snapID,
		"--schema="+m.Schema, "--no-owner", "--no-privileges", "--dbname="+conn)
	cmd.Env = append(os.Environ(), env...)
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return backup.Manifest{}, fmt.Errorf("run pg_dump: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return backup.Manifest{}, fmt.Errorf("run pg_dump (is it installed, and of PostgreSQL's version or newer?): %w", err)
	}
	werr := write(m, stdout)
	if werr != nil {
		// Stop pg_dump rather than wait for it to fill a pipe nobody reads.
		cmd.Process.Kill()
	}
	if err := cmd.Wait(); err != nil && werr == nil {
		return backup.Manifest{}, fmt.Errorf("pg_dump failed: %w: %s", err, stderr.String())
	}
	if werr != nil {
		return backup.Manifest{}, werr
	}
	return m, nil
}

// connString returns the connection string the PostgreSQL database was
// opened with, so that pg_dump and pg_restore reach the same database with
// the same TLS settings.
func (db *DB) connString(ctx context.Context) (string, error) {
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connection settings: %w", err)
	}
	defer c.Close()
	var s string
	err = c.Raw(func(driverConn any) error {
		pc, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("connection settings: not a pgx connection (%T)", driverConn)
		}
		s = pc.Conn().Config().ConnString()
		return nil
	})
	return s, err
}

// libpqConn turns a Flare PostgreSQL URL into what pg_dump and pg_restore
// take: the URL without the password, which goes in PGPASSWORD instead so
// that it never shows in the process list, and without search_path, which
// libpq does not know (the schema is passed with --schema).
func libpqConn(rawURL string) (string, []string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, flare.Errorf(flare.EINVALID, "database URL: %v", redactURLError(err))
	}
	var env []string
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), env, nil
}

// limitedBuffer keeps the first 4 KiB written to it: enough of a tool's
// error output for a message.
type limitedBuffer struct{ b bytes.Buffer }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := 4096 - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return strings.TrimSpace(l.b.String()) }

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

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

// CheckpointBackup makes the backup's audit tree a signed checkpoint, so
// that a restore from it can prove its log is a prefix of every tree signed
// later (see AdoptRestoredAudit). It publishes a checkpoint of size
// m.AuditSize and root m.AuditRoot to sink, signed with key, unless one of
// that size is there already, and only after proving, on a fresh snapshot of
// the live log, that the backup's tree is a prefix of the live tree and
// that the live tree extends the latest trusted checkpoint. A backup whose
// log does not pass is refused: it must not be blessed by a signature.
func (db *DB) CheckpointBackup(ctx context.Context, m backup.Manifest, key *audit.Key, sink audit.Sink) (published bool, err error) {
	trusted, err := audit.TrustedCheckpoints(sink, key.Verifier())
	if err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	for _, cp := range trusted {
		if cp.Size == m.AuditSize {
			if cp.Hash != m.AuditRoot {
				return false, fmt.Errorf("checkpoint the backup: %w", &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf(
					"the backup's audit tree of size %d does not match the signed checkpoint of that size", m.AuditSize)})
			}
			return false, nil
		}
	}
	if m.AuditSize == 0 {
		return false, nil
	}
	err = db.withAuditSnapshot(ctx, func(s *auditSnapshot) error {
		size, err := s.TreeSize(ctx)
		if err != nil {
			return err
		}
		if size < m.AuditSize {
			return &audit.VerifyError{Seq: size, Problem: fmt.Sprintf("the live log has %d entries, fewer than the backup's %d", size, m.AuditSize)}
		}
		prefix, err := tlog.TreeHash(m.AuditSize, s.reader(ctx))
		if err != nil {
			return err
		}
		if prefix != m.AuditRoot {
			return &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf("the backup's audit tree of size %d is not a prefix of the live log", m.AuditSize)}
		}
		if latest, ok := audit.Latest(trusted); ok {
			root, err := tlog.TreeHash(size, s.reader(ctx))
			if err != nil {
				return err
			}
			return audit.CheckConsistency(ctx, s, latest, size, root)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	signed, err := audit.SignCheckpoint(audit.Checkpoint{Origin: key.Name(), Size: m.AuditSize, Hash: m.AuditRoot}, key)
	if err != nil {
		return false, err
	}
	if err := sink.Publish(signed); err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	return true, nil
}

// AuditAdoption is what AdoptRestoredAudit did to the checkpoint file.
type AuditAdoption struct {
	// Kept is how many checkpoints (all of size <= the restored log) stay.
	Kept int
	// Superseded is how many checkpoints of trees larger than the restored
	// log were moved to Archive; LostFrom is the first seq they covered
	// that the restored log lacks, LostTo the size of the largest.
	Superseded       int
	Archive          string
	LostFrom, LostTo int64
}

// AdoptRestoredAudit makes the checkpoint file at path agree with a log
// restored from the backup m, without trusting anything less:
//
//   - the restored log must verify (audit.Verify) against every signed
//     checkpoint of its size or smaller, and its root must be the
//     manifest's;
//   - if the file holds checkpoints of larger trees (entries written after
//     the backup, now lost), one of them must be the checkpoint of exactly
//     the backup's size and root (flare backup signs it, see
//     CheckpointBackup). Since every checkpoint is signed only after the
//     signer proved it extends the previous one, the restored log is then a
//     prefix of each later signed tree. The later checkpoints are moved,
//     byte for byte, to an archive file next to path (the evidence of what
//     was lost), and path keeps the others, so that "flare audit verify"
//     passes against it and new checkpoints extend the restored log.
//
// Without such a checkpoint nothing is changed and the error says so: the
// operator then decides, as docs/operations.md describes.
func (db *DB) AdoptRestoredAudit(ctx context.Context, m backup.Manifest, v note.Verifier, path string, now time.Time) (AuditAdoption, error) {
	sink := audit.NewFileSink(path)
	notes, err := sink.ReadAll()
	if err != nil {
		return AuditAdoption{}, fmt.Errorf("read checkpoints: %w", err)
	}
	var keep, later [][]byte
	var kept []audit.Checkpoint
	var res AuditAdoption
	exact := false
	for i, msg := range notes {
		cp, err := audit.OpenCheckpoint(msg, v)
		if err != nil {
			return AuditAdoption{}, fmt.Errorf("checkpoint %d of %d in %s: %w", i+1, len(notes), path, err)
		}
		if cp.Size <= m.AuditSize {
			keep, kept = append(keep, msg), append(kept, cp)
			exact = exact || (cp.Size == m.AuditSize && cp.Hash == m.AuditRoot)
			continue
		}
		later = append(later, msg)
		if res.LostTo < cp.Size {
			res.LostTo = cp.Size
		}
	}
	slices.SortStableFunc(kept, func(a, b audit.Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	got, err := db.VerifyAudit(ctx, kept)
	if err != nil {
		return AuditAdoption{}, fmt.Errorf("the restored audit log does not verify: %w", err)
	}
	if got.Size != m.AuditSize || got.Root != m.AuditRoot {
		return AuditAdoption{}, fmt.Errorf("the restored audit log has size %d and root %s, the backup recorded %d and %s", got.Size, got.Root, m.AuditSize, m.AuditRoot)
	}
	res.Kept = len(keep)
	if len(later) == 0 {
		return res, nil
	}
	if !exact {
		return AuditAdoption{}, &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf(
			"%s holds checkpoints of up to %d entries, and none of exactly the backup's %d: nothing proves the restored log is a prefix of the signed one. The checkpoint file was left as it is",
			path, res.LostTo, m.AuditSize)}
	}
	res.Superseded, res.LostFrom = len(later), m.AuditSize
	res.Archive = fmt.Sprintf("%s.before-restore-%s", path, now.UTC().Format("20060102T150405Z"))
	if err := writeNewFile(res.Archive, later); err != nil {
		return AuditAdoption{}, err
	}
	tmp := path + ".restore-tmp"
	if err := writeNewFile(tmp, keep); err != nil {
		return AuditAdoption{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return AuditAdoption{}, fmt.Errorf("replace %s: %w", path, err)
	}
	return res, syncDir(filepath.Dir(path))
}

// writeNewFile writes signed notes, each followed by an empty line as in a
// FileSink, to a new 0600 file.
func writeNewFile(path string, notes [][]byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	for _, n := range notes {
		if _, err = f.Write(append(slices.Clip(n), '\n')); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write checkpoints to %s: %w", path, err)
	}
	return nil
}

// BackupSchedule configures the backups the server takes by itself.
type BackupSchedule struct {
	// Dir receives the backups, named backup.FileName(time); it is created
	// 0700. Put it on another disk than the database, or sync it off-site.
	Dir string
	// Recipients may decrypt the backups; their identities are kept off
	// the server.
	Recipients []age.Recipient
	// Interval between backups (at least a minute); a backup is taken at
	// start when the newest in Dir is older than that.
	Interval time.Duration
	// Keep says which backups in Dir survive each new one.
	Keep backup.Retention
	// AuditKey and Checkpoints, when set, make each backup's audit tree a
	// signed checkpoint (see CheckpointBackup), which a restore needs to
	// prove its log against later checkpoints.
	AuditKey    *audit.Key
	Checkpoints audit.Sink
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// RunScheduledBackups takes a backup into cfg.Dir every cfg.Interval and
// then deletes the backups cfg.Keep does not keep, until ctx ends. With
// several instances on one PostgreSQL database exactly one of them does it:
// the one holding the "backups" job lock (see RunExclusive); the others
// stand by and one takes over if it stops. Failures are logged at error
// level and retried at the next check; a failed backup leaves no file.
// It returns at once with an error only when cfg is unusable.
func (db *DB) RunScheduledBackups(ctx context.Context, cfg BackupSchedule, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dir == "" || len(cfg.Recipients) == 0 || cfg.Interval < time.Minute {
		return flare.Errorf(flare.EINVALID, "scheduled backups need a directory, a recipient and an interval of at least a minute")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	// Check often, so that a backup missed while the server was down, or
	// while another instance held the lock and died, is taken soon after.
	check := min(cfg.Interval, time.Minute)
	db.RunExclusive(ctx, "backups", check, logger, func(ctx context.Context) {
		t := time.NewTicker(check)
		defer t.Stop()
		for {
			if err := db.scheduledBackup(ctx, cfg, logger); err != nil && ctx.Err() == nil {
				logger.Error("scheduled backup failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return nil
}

// scheduledBackup takes a backup if the newest in cfg.Dir is at least
// cfg.Interval old, then applies retention.
func (db *DB) scheduledBackup(ctx context.Context, cfg BackupSchedule, logger *slog.Logger) error {
	names, times, err := listBackups(cfg.Dir)
	if err != nil {
		return err
	}
	now := cfg.Now().UTC().Truncate(time.Second)
	if len(times) > 0 && now.Sub(slices.MaxFunc(times, time.Time.Compare)) < cfg.Interval {
		return nil
	}
	out := filepath.Join(cfg.Dir, backup.FileName(now))
	start := time.Now()
	m, err := db.Backup(ctx, out, cfg.Recipients...)
	if err != nil {
		return err
	}
	logger.Info("scheduled backup written", "file", out, "audit_size", m.AuditSize, "seconds", time.Since(start).Seconds())
	if cfg.AuditKey != nil && cfg.Checkpoints != nil {
		if _, err := db.CheckpointBackup(ctx, m, cfg.AuditKey, cfg.Checkpoints); err != nil {
			logger.Error("scheduled backup: checkpoint of its audit tree", "file", out, "err", err)
		}
	}
	names, times = append(names, out), append(times, now)
	keep := cfg.Keep.Keep(times)
	for i, name := range names {
		if keep[i] {
			continue
		}
		if err := os.Remove(name); err != nil {
			logger.Error("scheduled backup: retention", "file", name, "err", err)
			continue
		}
		logger.Info("scheduled backup removed by retention", "file", name)
	}
	return nil
}

// listBackups returns the scheduled backups in dir and their times.
func listBackups(dir string) ([]string, []time.Time, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("list backups: %w", err)
	}
	var names []string
	var times []time.Time
	for _, e := range entries {
		if t, ok := backup.ParseFileName(e.Name()); ok && e.Type().IsRegular() {
			names, times = append(names, filepath.Join(dir, e.Name())), append(times, t)
		}
	}
	return names, times, nil
}
