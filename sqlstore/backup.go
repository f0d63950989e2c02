package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
)

// This file takes and restores backups (see package backup for the
// artefact): an online snapshot that is consistent with itself, encrypted
// before it reaches the disk, and a restore that checks what it loaded.
// It holds the entry point that writes the artefact and the helpers the
// snapshot and the restore share; the rest lives in backup_snapshot.go,
// backup_restore.go, backup_audit.go and backup_schedule.go.

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
