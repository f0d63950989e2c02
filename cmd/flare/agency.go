package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

const agencySynopsis = "create --name NAME --kind KIND | list [flags]"

// runAgency manages agencies from the server's console; the first agency of
// a fresh install is made this way.
func runAgency(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("agency", agencySynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	name := fs.String("name", "", "the agency's `name`, unique (create)")
	kind := fs.String("kind", "", "the agency's `kind`: "+kindList()+" (create)")
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, dbEnv)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "create" && pos[0] != "list") {
		return flare.Errorf(flare.EINVALID, "usage: flare agency %s", agencySynopsis)
	}
	store, err := db.open(ctx, pos[0] == "create")
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		return err
	}
	svc := sqlstore.NewAgencyService(store)
	if pos[0] == "list" {
		return listAgencies(ctx, env, svc)
	}
	if strings.TrimSpace(*name) == "" {
		return usageError("name", "is required")
	}
	if *kind == "" {
		return usageError("kind", "is required: one of %s", kindList())
	}
	a := &flare.Agency{Name: *name, Kind: flare.AgencyKind(*kind)}
	if err := svc.CreateAgency(ctx, a); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "created agency %q (%s) with id %s\n", a.Name, a.Kind, a.ID)
	return nil
}

func listAgencies(ctx context.Context, env *cliEnv, svc *sqlstore.AgencyService) error {
	all, err := svc.Agencies(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tNAME")
	for _, a := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.ID, a.Kind, a.Name)
	}
	return tw.Flush()
}

func kindList() string {
	var s []string
	for _, k := range flare.AgencyKinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}
