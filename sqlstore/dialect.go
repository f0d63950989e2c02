package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/flare-ilo/flare"
)

// dialect covers what really differs between SQLite and PostgreSQL; all
// other SQL is shared.
type dialect interface {
	name() string
	configurePool(*sql.DB)
	// constraint classifies a driver error as a unique or foreign-key
	// violation, or neither.
	constraint(err error) constraintKind
	// translate turns driver errors that mean "try again later" into a
	// flare error; others pass through.
	translate(err error) error
	// lockAuditLog serialises audit appends until tx ends, so that
	// concurrent writers get seq n, n+1, ... with no gap and no duplicate.
	lockAuditLog(ctx context.Context, tx *sql.Tx) error
	// textMatch returns a condition on cases.id that holds for cases whose
	// search index matches the full-text query in placeholder param (see
	// search.go for the query's form).
	textMatch(param string) string
	// anyWordEntries selects the search entries (alias e: record_id,
	// case_id) matching an any-word query in placeholder param.
	anyWordEntries(param string) string
}

type constraintKind int

const (
	noConstraint constraintKind = iota
	uniqueViolation
	foreignKeyViolation
)

type sqliteDialect struct{}

func (sqliteDialect) name() string { return "sqlite" }

// configurePool keeps a handful of connections: SQLite has one writer
// anyway, and each connection holds its own page cache.
func (sqliteDialect) configurePool(db *sql.DB) {
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
}

func (sqliteDialect) constraint(err error) constraintKind {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return noConstraint
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return uniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return foreignKeyViolation
	}
	return noConstraint
}

func (sqliteDialect) translate(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED) {
		return &flare.Error{Code: flare.ECONFLICT, Message: "the database is busy; try again"}
	}
	return err
}

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) configurePool(db *sql.DB) {
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
}

func (postgresDialect) constraint(err error) constraintKind {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return noConstraint
	}
	switch pe.Code {
	case "23505":
		return uniqueViolation
	case "23503":
		return foreignKeyViolation
	}
	return noConstraint
}

func (postgresDialect) translate(err error) error {
	var pe *pgconn.PgError
	// 40001 serialization_failure, 40P01 deadlock_detected.
	if errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01") {
		return &flare.Error{Code: flare.ECONFLICT, Message: "a concurrent change got in the way; try again"}
	}
	return err
}
