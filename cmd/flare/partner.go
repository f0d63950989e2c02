package main

import (
	"context"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

const partnerSynopsis = "create --name NAME [flags]"

// runPartner registers a partner organisation (trade union, NGO hotline)
// that sends reports through POST /api/v1/reports, and prints its API key
// once (issue #4, partner channel). Only a hash of the key is stored.
func runPartner(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("partner", partnerSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	name := fs.String("name", "", "the partner organisation's `name`")
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, dbEnv)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "create" {
		return flare.Errorf(flare.EINVALID, "usage: flare partner %s", partnerSynopsis)
	}
	if *name == "" {
		return usageError("name", "is required")
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		return err
	}
	// Registering a partner seals nothing, so no key ring is needed.
	svc := sqlstore.NewReportService(store, nil, sqlstore.ReceiptParams)
	p, key, err := svc.CreatePartner(flare.WithActor(ctx, flare.Actor{Console: true}), *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created partner %q with id %s\n", p.Name, p.ID)
	fmt.Fprintf(env.stdout, "API key (shown once; send it as \"Authorization: Bearer KEY\"):\n%s\n", key)
	return nil
}
