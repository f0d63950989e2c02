package main

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/flare-ilo/flare"

	"github.com/flare-ilo/flare/sqlstore"
)

const migrateSynopsis = "status|up|down-to N [flags]"

func runMigrate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("migrate", migrateSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, dbEnv)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return flare.Errorf(flare.EINVALID, "say what to do: %s", migrateSynopsis)
	}
	action, rest := pos[0], pos[1:]
	switch action {
	case "status", "up":
		if len(rest) > 0 {
			return flare.Errorf(flare.EINVALID, "%s takes no argument, got %q", action, rest[0])
		}
	case "down-to":
		if len(rest) != 1 {
			return flare.Errorf(flare.EINVALID, "down-to needs one version number, e.g. \"flare migrate down-to 0\"")
		}
	default:
		return flare.Errorf(flare.EINVALID, "unknown action %q; use %s", action, migrateSynopsis)
	}
	var target int64
	if action == "down-to" {
		target, err = strconv.ParseInt(rest[0], 10, 64)
		if err != nil || target < 0 {
			return flare.Errorf(flare.EINVALID, "down-to: %q is not a version number (0 or more)", rest[0])
		}
	}
	store, err := db.open(ctx, action == "up")
	if err != nil {
		return err
	}
	defer store.Close()
	switch action {
	case "up":
		v, err := store.Migrate(ctx, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s is at schema version %d\n", db.describe(), v)
	case "down-to":
		v, err := store.MigrateDownTo(ctx, nil, target)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%s is at schema version %d\n", db.describe(), v)
	case "status":
		return printMigrationStatus(ctx, env, store, db.describe())
	}
	return nil
}

func printMigrationStatus(ctx context.Context, env *cliEnv, store *sqlstore.DB, name string) error {
	st, err := store.MigrationStatuses(ctx)
	if err != nil {
		return err
	}
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "%s is at schema version %d\n\n", name, v)
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tMIGRATION")
	for _, s := range st {
		state := "pending"
		if s.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, state, s.Name)
	}
	return tw.Flush()
}
