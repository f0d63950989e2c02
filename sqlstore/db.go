// Package sqlstore implements Flare's services on database/sql, on the
// embedded SQLite (modernc.org/sqlite) and on PostgreSQL (pgx). The SQL is
// written once with $n placeholders; the few real differences between the
// two live in dialect.go.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"modernc.org/sqlite"             // also registers the "sqlite" driver

	"github.com/flare-ilo/flare"
)

// DB is an open Flare database on either backend.
type DB struct {
	sql     *sql.DB
	dialect dialect
	// now is the clock; tests replace it.
	now func() time.Time
}

// Open opens and pings the database named by rawURL and configures it for
// Flare, without migrating it (see Migrate):
//
//   - postgres://... or postgresql://... opens PostgreSQL through pgx;
//   - sqlite:PATH, file:PATH or a plain file path opens SQLite at PATH,
//     creating the file if needed.
func Open(ctx context.Context, rawURL string, opts ...Option) (*DB, error) {
	var o openOptions
	for _, opt := range opts {
		opt(&o)
	}
	driverName, dsn, d, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if d.name() == "sqlite" {
		if err := createPrivate(sqlitePath(rawURL)); err != nil {
			return nil, err
		}
	}
	var sqlDB *sql.DB
	if o.wrap == nil {
		sqlDB, err = sql.Open(driverName, dsn)
	} else {
		var c driver.Connector
		if c, err = connector(driverName, dsn); err == nil {
			sqlDB = sql.OpenDB(o.wrap(c))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", d.name(), err)
	}
	d.configurePool(sqlDB)
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", d.name(), err)
	}
	return &DB{sql: sqlDB, dialect: d, now: time.Now}, nil
}

// Option changes how Open connects.
type Option func(*openOptions)

type openOptions struct {
	wrap func(driver.Connector) driver.Connector
}

// WithConnector wraps the driver's connector, for tests that inject
// faults into every database call (see internal/faultdriver).
func WithConnector(wrap func(driver.Connector) driver.Connector) Option {
	return func(o *openOptions) { o.wrap = wrap }
}

// connector returns a driver.Connector for a driver name and DSN.
func connector(driverName, dsn string) (driver.Connector, error) {
	switch driverName {
	case "pgx":
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, flare.Errorf(flare.EINVALID, "database URL: %v", err)
		}
		return stdlib.GetConnector(*cfg), nil
	case "sqlite":
		return dsnConnector{drv: &sqlite.Driver{}, dsn: dsn}, nil
	}
	return nil, fmt.Errorf("no connector for driver %q", driverName)
}

// dsnConnector adapts a driver that has no connector of its own.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// parseURL picks the driver for a database URL and returns its DSN.
func parseURL(rawURL string) (driver, dsn string, d dialect, err error) {
	switch {
	case rawURL == "":
		return "", "", nil, flare.Errorf(flare.EINVALID, "database URL is empty")
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		if _, err := url.Parse(rawURL); err != nil {
			return "", "", nil, flare.Errorf(flare.EINVALID, "database URL: %v", redactURLError(err))
		}
		return "pgx", rawURL, postgresDialect{}, nil
	case strings.Contains(rawURL, "://"):
		return "", "", nil, flare.Errorf(flare.EINVALID, "database URL: unsupported scheme (use postgres://... or a SQLite file path)")
	}
	if p := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:"); p == "" || p[0] == '?' {
		return "", "", nil, flare.Errorf(flare.EINVALID, "database URL: SQLite file path is empty")
	}
	return "sqlite", sqliteDSN(sqlitePath(rawURL)), sqliteDialect{}, nil
}

// sqlitePath is the file a SQLite URL names.
func sqlitePath(rawURL string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return filepath.Clean(path)
}

// createPrivate creates a missing database file readable by its owner only:
// SQLite would create it with the process umask, and its -wal and -shm
// files follow the database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// redactURLError drops the URL from url.Parse errors, which would otherwise
// print a database password into logs.
func redactURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// sqliteDSN sets the pragmas every connection needs. WAL lets readers go on
// while one writer writes; synchronous=FULL makes an acknowledged write
// survive power loss; IMMEDIATE transactions take the write lock up front so
// two writers queue on busy_timeout instead of failing mid-transaction.
func sqliteDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", "journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "secure_delete(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

// Close closes the database; in-flight queries finish first.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s database: %w", db.dialect.name(), err)
	}
	var one int
	if err := db.sql.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("query %s database: %w", db.dialect.name(), err)
	}
	return nil
}

// Backend names the database in use: "sqlite" or "postgres".
func (db *DB) Backend() string { return db.dialect.name() }

// SetClock replaces the clock the store stamps records with; for tests.
func (db *DB) SetClock(now func() time.Time) { db.now = now }

// newID returns a time-ordered UUIDv7, so new rows land at the end of
// indexes instead of scattering across them.
func newID() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return id.String(), nil
}

// validID reports whether s is a UUID in canonical form. Checking before a
// query keeps a malformed id a clean "not found" on PostgreSQL, whose uuid
// type would reject it with an error.
func validID(s string) bool {
	if len(s) != 36 {
		return false
	}
	_, err := uuid.Parse(s)
	return err == nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", db.dialect.translate(err))
	}
	return nil
}
