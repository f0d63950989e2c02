package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

const personSynopsis = "export ID [--format json|text] [flags]"

// runPerson answers a subject access request from the server's console:
// "flare person export ID" prints everything held on the person, the
// grants that cover them and a summary of the audit trail (security
// checklist R-DP2). The export is recorded in the audit trail as the
// console operator's.
func runPerson(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("person", personSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var keyFile keyFileFlag
	keyFile.register(fs)
	format := fs.String("format", "json", "output `format`: json (everything) or text (a summary for reading)")
	envNames := envOf(dbEnv, map[string]string{"key-file": "FLARE_KEY_FILE"})
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "export" {
		return flare.Errorf(flare.EINVALID, "usage: flare person %s", personSynopsis)
	}
	if *format != "json" && *format != "text" {
		return usageError("format", "must be json or text, got %q", *format)
	}
	v, err := openVault(keyFile.resolve(&db))
	if err != nil {
		return err
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		return err
	}
	ctx = flare.WithActor(ctx, flare.Actor{Console: true})
	x, err := sqlstore.NewPersonService(store, sqlstore.NewKeyStore(store, v)).ExportPerson(ctx, pos[1])
	if err != nil {
		return err
	}
	if *format == "text" {
		return printPersonExport(env, x)
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// printPersonExport writes a readable summary of an export: the fields in
// the JSON form are the complete answer.
func printPersonExport(env *cliEnv, x *flare.PersonExport) error {
	p := x.Person
	w := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "person\t%s\n", p.ID)
	fmt.Fprintf(w, "case\t%s (%s)\n", x.Case.Reference, x.Case.ID)
	fmt.Fprintf(w, "role\t%s\n", p.Role)
	if p.PersonIdentity != nil {
		fmt.Fprintf(w, "name\t%s\n", p.FullName())
		if p.Birthdate != nil {
			fmt.Fprintf(w, "birthdate\t%s\n", p.Birthdate.Format("2006-01-02"))
		}
		for _, d := range p.IdentityDocuments {
			fmt.Fprintf(w, "document\t%s %s %s\n", d.Type, d.Number, d.IssuingCountry)
		}
	} else {
		fmt.Fprintf(w, "identity\t%s\n", p.IdentityWithheld)
	}
	if len(p.Citizenship) > 0 {
		fmt.Fprintf(w, "citizenship\t%s\n", strings.Join(p.Citizenship, ", "))
	}
	for _, g := range x.Grants {
		fmt.Fprintf(w, "grant\t%s to agency %s (%s, %s)\n", g.Access, g.AgencyID, g.Basis, g.CreatedAt.Format("2006-01-02"))
	}
	for _, l := range x.AuditSummary {
		who := l.AgencyID
		if l.Console {
			who = "console"
		}
		fmt.Fprintf(w, "audit\t%s by %s: %d, %s to %s\n", l.Action, who, l.Count, l.First.Format("2006-01-02"), l.Last.Format("2006-01-02"))
	}
	return w.Flush()
}
