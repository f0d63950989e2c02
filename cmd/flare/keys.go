package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"text/tabwriter"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

const keysSynopsis = "status|rotate|remove KEK-ID|export --recipient R --out FILE|import --in FILE --identity FILE [flags]"

// keyFileFlag is the key ring location shared by every command that needs
// the keys: --key-file, else FLARE_KEY_FILE, else <data dir>/keyring.
type keyFileFlag struct{ path string }

func (k *keyFileFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&k.path, "key-file", "", "key ring `file`, kept outside the database (env FLARE_KEY_FILE; default <data dir>/"+vault.DefaultFileName+")")
}

// resolve returns the key ring path the flags select.
func (k *keyFileFlag) resolve(db *dbFlags) string {
	if k.path != "" {
		return k.path
	}
	return vault.DefaultPath(db.data)
}

// openVault opens an existing key ring. Maintenance commands never create
// one: a new ring next to an existing database would read nothing.
func openVault(path string) (*vault.Vault, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, flare.Errorf(flare.EINVALID, "no key ring at %s (\"flare serve\" creates it on first start; check --key-file or FLARE_KEY_FILE)", path)
	}
	v, err := vault.Open(path)
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "%v", err)
	}
	return v, nil
}

func runKeys(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("keys", keysSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var keyFile keyFileFlag
	keyFile.register(fs)
	batch := fs.Int("batch", 500, "data keys re-wrapped per transaction by rotate")
	recipient := registerRecipient(fs)
	out := fs.String("out", "", "`file` to create with the age-encrypted key ring (export)")
	in := fs.String("in", "", "age-encrypted key ring `file` to import (import)")
	identity := fs.String("identity", "", "age identity `file` that decrypts it (import)")
	envNames := envOf(dbEnv, map[string]string{"key-file": "FLARE_KEY_FILE", "recipient": "FLARE_BACKUP_RECIPIENT"})
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return flare.Errorf(flare.EINVALID, "say what to do: %s", keysSynopsis)
	}
	action, rest := pos[0], pos[1:]
	switch action {
	case "status", "rotate", "export", "import":
		if len(rest) > 0 {
			return flare.Errorf(flare.EINVALID, "%s takes no argument, got %q", action, rest[0])
		}
	case "remove":
		if len(rest) != 1 {
			return flare.Errorf(flare.EINVALID, "remove needs one KEK id, e.g. \"flare keys remove k1\"")
		}
	default:
		return flare.Errorf(flare.EINVALID, "unknown action %q; use %s", action, keysSynopsis)
	}
	if *batch < 1 {
		return usageError("batch", "must be at least 1, got %d", *batch)
	}
	// The key ring is a file: exporting or importing it needs no database.
	switch action {
	case "export":
		return exportKeys(env, keyFile.resolve(&db), *recipient, *out)
	case "import":
		return importKeys(env, keyFile.resolve(&db), *in, *identity)
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
	keys := sqlstore.NewKeyStore(store, v)
	keys.SetRotateBatch(*batch)
	switch action {
	case "rotate":
		return rotateKeys(ctx, env, keys)
	case "remove":
		if err := keys.RemoveKEK(ctx, rest[0]); err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "removed KEK %s from %s\n", rest[0], v.Path())
		return nil
	}
	return printKeyStatus(ctx, env, keys)
}

// rotateKeys runs or resumes a rotation, printing progress after each
// batch so that an operator sees it move and knows where it stopped.
func rotateKeys(ctx context.Context, env *cliEnv, keys *sqlstore.KeyStore) error {
	p, err := keys.RotateKeys(ctx, func(p sqlstore.RotateProgress) {
		fmt.Fprintf(env.stdout, "re-wrapped %d/%d data keys under KEK %s\n", p.Done, p.Total, p.KEKID)
	})
	if err != nil {
		return err
	}
	how := "resumed the rotation to"
	if p.Started {
		how = "started KEK"
	}
	fmt.Fprintf(env.stdout, "%s %s: every data key is now wrapped under it\n", how, p.KEKID)
	fmt.Fprintln(env.stdout, "Older KEKs stay in the key ring for backups taken before now; remove each with \"flare keys remove ID\" once those backups have expired.")
	return nil
}

func printKeyStatus(ctx context.Context, env *cliEnv, keys *sqlstore.KeyStore) error {
	keks, err := keys.Vault().KEKs()
	if err != nil {
		return err
	}
	st, err := keys.Stats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "key ring %s\n\n", keys.Vault().Path())
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEK\tCURRENT\tDATA KEYS\tCREATED\tTREE NODES")
	known := map[string]bool{}
	for _, k := range keks {
		known[k.ID] = true
		cur := ""
		if k.Current {
			cur = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%d\n", k.ID, cur, st.ByKEK[k.ID], k.Created.Format("2006-01-02 15:04Z"), k.TreeNodes)
	}
	var missing []string
	for id := range st.ByKEK {
		if !known[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		fmt.Fprintf(tw, "%s\tMISSING\t%d\t\t\n", id, st.ByKEK[id])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "\n%s erased records (data keys destroyed)\n", strconv.Itoa(st.Destroyed))
	return keys.Check(ctx)
}

// exportKeys writes the key ring, age-encrypted to recipient, to the new
// file out. It is kept apart from database backups, so that one stolen file
// never holds both the data and the keys that open it.
func exportKeys(env *cliEnv, ringPath, recipient, out string) error {
	if out == "" {
		return usageError("out", "is required: the file to create")
	}
	if recipient == "" {
		return usageError("recipient", "is required: the age recipient (age1...) whose identity, kept off this server, imports the key ring")
	}
	r, err := backup.ParseRecipient(recipient)
	if err != nil {
		return usageError("recipient", "%s", flare.ErrorMessageOf(err))
	}
	// Opening checks that it is a key ring, and private (0600).
	if _, err := openVault(ringPath); err != nil {
		return err
	}
	ring, err := os.ReadFile(ringPath)
	if err != nil {
		return fmt.Errorf("read key ring: %w", err)
	}
	w, finish, err := createExport(out, env.stdout)
	if err != nil {
		return err
	}
	enc, err := backup.Encrypt(w, r)
	if err == nil {
		_, err = enc.Write(ring)
		if cerr := enc.Close(); err == nil {
			err = cerr
		}
	}
	if err := finish(err); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "exported the key ring %s, encrypted, to %s\n", ringPath, out)
	return nil
}

// importKeys decrypts an exported key ring into ringPath, which must not
// exist: importing never replaces keys a database may still need.
func importKeys(env *cliEnv, ringPath, in, identity string) error {
	if in == "" {
		return usageError("in", "is required: the exported key ring")
	}
	if identity == "" {
		return usageError("identity", "is required: the age identity file that decrypts it")
	}
	if _, err := os.Lstat(ringPath); err == nil {
		return flare.Errorf(flare.EINVALID, "refusing to import: a key ring exists at %s; move it aside first", ringPath)
	}
	ids, err := backup.LoadIdentities(identity)
	if err != nil {
		return err
	}
	f, err := os.Open(in)
	if err != nil {
		return usageError("in", "%v", err)
	}
	defer f.Close()
	plain, err := backup.Decrypt(f, ids...)
	if err != nil {
		return err
	}
	ring, err := io.ReadAll(io.LimitReader(plain, 64<<20))
	if err != nil {
		return flare.Errorf(flare.EINVALID, "the exported key ring is damaged: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(ringPath), 0o700); err != nil {
		return fmt.Errorf("import key ring: %w", err)
	}
	if err := os.WriteFile(ringPath+".import", ring, 0o600); err != nil {
		return fmt.Errorf("import key ring: %w", err)
	}
	defer os.Remove(ringPath + ".import")
	if _, err := vault.Open(ringPath + ".import"); err != nil {
		return flare.Errorf(flare.EINVALID, "the decrypted file is not a key ring: %v", err)
	}
	if err := os.Link(ringPath+".import", ringPath); err != nil {
		return fmt.Errorf("import key ring: %w", err)
	}
	fmt.Fprintf(env.stdout, "imported the key ring into %s\n", ringPath)
	return nil
}
