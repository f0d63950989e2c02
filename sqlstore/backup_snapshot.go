package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
)

// This file takes the snapshot a backup encrypts. The manifest is read
// from the very snapshot that is dumped, so that a restore can prove it
// loaded exactly what was backed up, even while writers go on.

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
