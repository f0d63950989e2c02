package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// dbFlags are the flags every subcommand that touches the database shares,
// so that "--data" and "--database" mean the same thing everywhere.
type dbFlags struct {
	data     string
	database string
}

// dbEnv maps the shared flags to their environment variables.
var dbEnv = map[string]string{"data": "FLARE_DATA", "database": "FLARE_DATABASE_URL"}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./flare-data", "data `directory`: holds the SQLite database and, later, the key ring (env FLARE_DATA)")
	fs.StringVar(&f.database, "database", "", "PostgreSQL `URL` (postgres://...); empty means SQLite in the data directory (env FLARE_DATABASE_URL)")
}

// sqlitePath is the database file inside the data directory.
func (f *dbFlags) sqlitePath() string { return filepath.Join(f.data, "flare.db") }

// url returns the database URL the flags select.
func (f *dbFlags) url() string {
	if f.database != "" {
		return f.database
	}
	return "sqlite:" + f.sqlitePath()
}

// describe names the database for messages, without any password.
func (f *dbFlags) describe() string {
	if f.database != "" {
		return "PostgreSQL"
	}
	return "SQLite at " + f.sqlitePath()
}

// open opens the database. With create, a missing SQLite data directory is
// made (0700: it will hold personal data); without, a missing database is an
// error, so that a typo in --data never silently starts an empty one.
func (f *dbFlags) open(ctx context.Context, create bool) (*sqlstore.DB, error) {
	if f.data == "" && f.database == "" {
		return nil, usageError("data", "must not be empty")
	}
	if f.database == "" {
		if create {
			if err := os.MkdirAll(f.data, 0o700); err != nil {
				return nil, fmt.Errorf("create data directory: %w", err)
			}
		} else if _, err := os.Stat(f.sqlitePath()); err != nil {
			return nil, flare.Errorf(flare.EINVALID, "no Flare database at %s (run \"flare migrate up\" or \"flare serve\" first, or check -data)", f.sqlitePath())
		}
	}
	db, err := sqlstore.Open(ctx, f.url())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", f.describe(), err)
	}
	return db, nil
}
