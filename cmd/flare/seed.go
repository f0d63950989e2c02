package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

const seedSynopsis = "--cases N [--people-per-case K] [--seed S] [--agencies A] [--batch B] [flags]"

// runSeed fills a database with synthetic casework for demos and
// benchmarks (issue #5): cases, people named from many countries,
// organisations, worksites and tasks, and the records of issue #6
// (referrals and their grants, victims' services and protection periods,
// inspections, proceedings), each sealed, indexed and audited as the
// services do, with the console as the actor.
func runSeed(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("seed", seedSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var keyFile keyFileFlag
	keyFile.register(fs)
	cases := fs.Int("cases", 0, "`number` of cases to create (required)")
	people := fs.Int("people-per-case", 10, "`number` of people in each case")
	seed := fs.Int64("seed", 1, "random `seed`: the same seed gives the same cases")
	agencies := fs.Int("agencies", 7, "how many synthetic agencies own the cases (1 to 7), created when absent")
	batch := fs.Int("batch", 500, "cases written per transaction")
	if err := parseFlags(fs, args, env.getenv, envOf(dbEnv, map[string]string{"key-file": "FLARE_KEY_FILE"})); err != nil {
		return err
	}
	switch {
	case *cases < 1 || *cases > 10_000_000:
		return usageError("cases", "must be between 1 and 10000000, got %d", *cases)
	case *people < 1 || *people > 100:
		return usageError("people-per-case", "must be between 1 and 100, got %d", *people)
	case *agencies < 1 || *agencies > 7:
		return usageError("agencies", "must be between 1 and 7, got %d", *agencies)
	case *batch < 1:
		return usageError("batch", "must be at least 1, got %d", *batch)
	}
	ctx = flare.WithActor(ctx, flare.Actor{Console: true})
	store, err := db.open(ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		return err
	}
	keys, err := seedKeys(ctx, env, store, keyFile.resolve(&db))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "seeding %d cases of %d people into %s (seed %d)\n", *cases, *people, db.describe(), *seed)
	st, err := sqlstore.Seed(ctx, store, keys, sqlstore.SeedOptions{Cases: *cases, PeoplePerCase: *people, Seed: *seed,
		Agencies: *agencies, BatchSize: *batch, Progress: func(s sqlstore.SeedStats) {
			fmt.Fprintf(env.stdout, "%d/%d cases, %d people, %d records in %s (%.0f records/s)\n",
				s.Cases, *cases, s.People, s.Records(), s.Elapsed.Round(time.Second), rate(s.Records(), s.Elapsed))
		}})
	if err != nil {
		var fe *flare.Error
		if errors.As(err, &fe) && fe.Code == flare.EINVALID {
			// Options the flags above did not catch (e.g. too many cases).
			return err
		}
		return fmt.Errorf("%w (%d cases were written before the failure)", err, st.Cases)
	}
	fmt.Fprintf(env.stdout, "seeded %d cases, %d people, %d organisations, %d worksites, %d tasks, "+
		"%d referrals (%d accepted, each with its grant), %d services, %d protection periods (%d extensions), %d inspections, %d proceedings: "+
		"%d records in %s, %.0f records/s, %.0f people/s\n",
		st.Cases, st.People, st.Organisations, st.Worksites, st.Tasks,
		st.Referrals, st.Grants, st.Services, st.Periods, st.Extensions, st.Inspections, st.Proceedings,
		st.Records(), st.Elapsed.Round(time.Millisecond), rate(st.Records(), st.Elapsed), rate(st.People, st.Elapsed))
	return nil
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// seedKeys opens the key ring. Unlike the maintenance commands, seed may
// create one, but only for a database that has no data key yet: a new ring
// next to sealed records would leave them unreadable.
func seedKeys(ctx context.Context, env *cliEnv, store *sqlstore.DB, path string) (*sqlstore.KeyStore, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		st, err := sqlstore.NewKeyStore(store, nil).Stats(ctx)
		if err != nil {
			return nil, err
		}
		if len(st.ByKEK) > 0 || st.Destroyed > 0 {
			return nil, flare.Errorf(flare.EINVALID, "no key ring at %s, but the database holds sealed records: give the right --key-file", path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create key ring directory: %w", err)
		}
		v, _, err := vault.OpenOrCreate(path)
		if err != nil {
			return nil, flare.Errorf(flare.EINVALID, "create key ring: %v", err)
		}
		fmt.Fprintf(env.stdout, "created key ring %s: keep it, and a copy apart from the database (flare keys export)\n", path)
		return sqlstore.NewKeyStore(store, v), nil
	}
	v, err := openVault(path)
	if err != nil {
		return nil, err
	}
	keys := sqlstore.NewKeyStore(store, v)
	if err := keys.Check(ctx); err != nil {
		return nil, err
	}
	return keys, nil
}
