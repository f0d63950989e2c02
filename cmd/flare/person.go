package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

const personSynopsis = "export ID [--format json|text] [flags] | erase --id ID --reason TEXT [flags]"

// runPerson answers a subject access request from the server's console:
// "flare person export ID" prints everything held on the person, the
// grants that cover them and a summary of the audit trail (security
// checklist R-DP2). "flare person erase --id ID --reason TEXT" erases the
// person (R-DP3): exit 2 on bad input, 1 when a legal hold refuses it,
// with the hold's reason. Both are recorded in the audit trail as the
// console operator's.
func runPerson(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("person", personSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var keyFile keyFileFlag
	keyFile.register(fs)
	format := fs.String("format", "json", "output `format`: json (everything) or text (a summary for reading)")
	eraseID := fs.String("id", "", "erase: the `id` of the person to erase")
	reason := fs.String("reason", "", "erase: why the person's data is erased (kept in the audit trail)")
	envNames := envOf(dbEnv, map[string]string{"key-file": "FLARE_KEY_FILE"})
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	erase := len(pos) == 1 && pos[0] == "erase"
	if !erase && (len(pos) != 2 || pos[0] != "export") {
		return flare.Errorf(flare.EINVALID, "usage: flare person %s", personSynopsis)
	}
	if erase {
		if *eraseID == "" {
			return usageError("id", "is required: the id of the person to erase")
		}
		if _, err := flare.CleanErasureReason(*reason); err != nil {
			return usageError("reason", "is required: why the person's data is erased (at most %d characters)", flare.MaxErasureReason)
		}
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
	persons := sqlstore.NewPersonService(store, sqlstore.NewKeyStore(store, v))
	if erase {
		return erasePerson(ctx, env, persons, *eraseID, *reason)
	}
	x, err := persons.ExportPerson(ctx, pos[1])
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

// erasePerson erases one person from the console. A refusal under a legal
// hold is exit status 1 with the hold's reason, not the conflict status of
// a stale write: nothing is wrong with the request, the law keeps the data.
func erasePerson(ctx context.Context, env *cliEnv, persons *sqlstore.PersonService, id, reason string) error {
	err := persons.ErasePerson(ctx, id, reason)
	if flare.ErrorCodeOf(err) == flare.ECONFLICT {
		return errors.New("refused: " + flare.ErrorMessageOf(err))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "erased person %s\n", id)
	return nil
}
