package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles holds the schema for both backends: the same version
// numbers in each folder (a test checks it).
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// MigrationStatus is one migration's state.
type MigrationStatus struct {
	Version int64
	Name    string
	Applied bool
}

func (db *DB) provider(logger *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+db.dialect.name())
	if err != nil {
		return nil, fmt.Errorf("migrations folder: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	gooseDialect := goose.DialectSQLite3
	if db.dialect.name() == "postgres" {
		gooseDialect = goose.DialectPostgres
		// An advisory lock: N instances starting together migrate once.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(gooseDialect, db.sql, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns the new version.
func (db *DB) Migrate(ctx context.Context, logger *slog.Logger) (int64, error) {
	p, err := db.provider(logger)
	if err != nil {
		return 0, err
	}
	if _, err := p.Up(ctx); err != nil {
		return 0, fmt.Errorf("migrate up: %w", err)
	}
	return p.GetDBVersion(ctx)
}

// MigrateDownTo rolls the schema back to version (0 removes everything).
func (db *DB) MigrateDownTo(ctx context.Context, logger *slog.Logger, version int64) (int64, error) {
	p, err := db.provider(logger)
	if err != nil {
		return 0, err
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		return 0, fmt.Errorf("migrate down to %d: %w", version, err)
	}
	return p.GetDBVersion(ctx)
}

// MigrationStatuses lists every known migration and whether it is applied.
func (db *DB) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.provider(nil)
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Name: s.Source.Path, Applied: s.State == goose.StateApplied}
	}
	return out, nil
}

// SchemaVersion returns the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := db.provider(nil)
	if err != nil {
		return 0, err
	}
	return p.GetDBVersion(ctx)
}
