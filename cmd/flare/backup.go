package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore"
)

const (
	backupSynopsis  = "--recipient AGE_RECIPIENT --out FILE [flags] | keygen --out FILE"
	restoreSynopsis = "--in FILE --identity FILE [flags]"
)

// backupEnv maps the backup flags to their environment variables.
var backupEnv = map[string]string{"recipient": "FLARE_BACKUP_RECIPIENT"}

// runBackup writes an encrypted backup of the database, or with "keygen"
// creates the identity that decrypts backups.
func runBackup(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("backup", backupSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var af auditFlags
	af.register(fs)
	recipient := fs.String("recipient", "", "age `recipient` (age1...) the backup is encrypted to, as \"flare backup keygen\" prints (env FLARE_BACKUP_RECIPIENT)")
	out := fs.String("out", "", "`file` to create: the backup, or the identity for keygen")
	envNames := envOf(dbEnv, auditEnv, backupEnv)
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 1 && pos[0] == "keygen":
		return backupKeygen(env, *out)
	case len(pos) > 0:
		return flare.Errorf(flare.EINVALID, "unknown action %q; usage: flare backup %s", pos[0], backupSynopsis)
	}
	if *out == "" {
		return usageError("out", "is required: the backup file to create")
	}
	if *recipient == "" {
		return usageError("recipient", "is required: the age recipient (age1...) whose identity, kept off this server, restores the backup")
	}
	r, err := backup.ParseRecipient(*recipient)
	if err != nil {
		return usageError("recipient", "%s", flare.ErrorMessageOf(err))
	}
	af.resolve(db.data)
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	start := time.Now()
	m, err := store.Backup(ctx, *out, r)
	if err != nil {
		return err
	}
	size := int64(-1)
	if info, err := os.Stat(*out); err == nil {
		size = info.Size()
	}
	fmt.Fprintf(env.stdout, "backup written to %s (%d bytes, %.1f s): %s, schema version %d, %d tables, audit log size %d, root %s\n",
		*out, size, time.Since(start).Seconds(), m.Backend, m.SchemaVersion, len(m.Tables), m.AuditSize, m.AuditRoot)
	return checkpointBackup(ctx, env, store, &af, m, *out)
}

// checkpointBackup signs a checkpoint of the backup's audit tree, which a
// restore from it needs (see sqlstore.AdoptRestoredAudit). Without a
// signing key it warns and succeeds: the backup itself is good.
func checkpointBackup(ctx context.Context, env *cliEnv, store *sqlstore.DB, af *auditFlags, m backup.Manifest, out string) error {
	key, err := audit.LoadKey(af.key)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.stderr, "flare backup: warning: no audit signing key at %s, so the backup's audit tree was not checkpointed; after a restore from it, \"flare audit verify\" can check its log only against older checkpoints (set --audit-key)\n", af.key)
		return nil
	}
	if err != nil {
		return flare.Errorf(flare.EINVALID, "-audit-key: %v", err)
	}
	published, err := store.CheckpointBackup(ctx, m, key, audit.NewFileSink(af.checkpoints))
	if err != nil {
		return fmt.Errorf("backup written to %s, but its audit tree was NOT checkpointed: %w", out, err)
	}
	if published {
		fmt.Fprintf(env.stdout, "signed a checkpoint of the backup's audit tree (size %d) in %s\n", m.AuditSize, af.checkpoints)
	}
	return nil
}

// backupKeygen writes a new backup identity and prints its recipient.
func backupKeygen(env *cliEnv, out string) error {
	if out == "" {
		return usageError("out", "is required: the identity file to create (keep it off the server)")
	}
	recipient, err := backup.GenerateIdentity(out)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, recipient)
	fmt.Fprintf(env.stderr, "wrote the backup identity to %s (mode 0600). Keep it OFF this server: whoever holds it reads every backup. Give the recipient above to \"flare backup --recipient\".\n", out)
	return nil
}

// runRestore loads a backup into an empty database, then makes the audit
// checkpoint file agree with the restored log.
func runRestore(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("restore", restoreSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var af auditFlags
	af.register(fs)
	in := fs.String("in", "", "backup `file` to restore, as \"flare backup\" wrote it")
	identity := fs.String("identity", "", "age identity `file` that decrypts the backup, as \"flare backup keygen\" wrote it")
	envNames := envOf(dbEnv, auditEnv)
	if err := parseFlags(fs, args, env.getenv, envNames); err != nil {
		return err
	}
	if *in == "" {
		return usageError("in", "is required: the backup file to restore")
	}
	if *identity == "" {
		return usageError("identity", "is required: the age identity file that decrypts the backup")
	}
	if db.data == "" && db.database == "" {
		return usageError("data", "must not be empty")
	}
	ids, err := backup.LoadIdentities(*identity)
	if err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return usageError("in", "%v", err)
	}
	defer f.Close()
	start := time.Now()
	m, err := sqlstore.Restore(ctx, db.url(), f, ids...)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "restored %s into %s (%.1f s): %s backup of %s, schema version %d, %d tables checked, audit log size %d\n",
		*in, db.describe(), time.Since(start).Seconds(), m.Backend, m.CreatedAt.Format(time.RFC3339), m.SchemaVersion, len(m.Tables), m.AuditSize)
	af.resolve(db.data)
	return adoptRestoredAudit(ctx, env, &db, &af, m)
}

// adoptRestoredAudit checks the restored log against the checkpoints and
// sets aside those of entries the backup does not have.
func adoptRestoredAudit(ctx context.Context, env *cliEnv, db *dbFlags, af *auditFlags, m backup.Manifest) error {
	key, err := audit.LoadKey(af.key)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.stderr, "flare restore: warning: no audit signing key at %s: the restored audit log was not checked. Put the key and the checkpoint file in place (--audit-key, --checkpoints) and run \"flare audit verify\"\n", af.key)
		return nil
	}
	if err != nil {
		return flare.Errorf(flare.EINVALID, "-audit-key: %v", err)
	}
	if _, err := os.Stat(af.checkpoints); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.stderr, "flare restore: warning: no checkpoint file at %s: the restored audit log was not checked against signed checkpoints. Put the checkpoint file in place (--checkpoints) and run \"flare audit verify\"\n", af.checkpoints)
		return nil
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	res, err := store.AdoptRestoredAudit(ctx, m, key.Verifier(), af.checkpoints, time.Now())
	if err != nil {
		return fmt.Errorf("the database was restored, but its audit log was not adopted: %w", err)
	}
	fmt.Fprintf(env.stdout, "audit log checked against %d signed checkpoints in %s\n", res.Kept, af.checkpoints)
	if res.Superseded > 0 {
		fmt.Fprintf(env.stdout, "the entries from seq %d to %d were written after the backup and are LOST: record the incident. The %d checkpoints covering them were moved to %s as evidence\n",
			res.LostFrom, res.LostTo-1, res.Superseded, res.Archive)
	}
	fmt.Fprintln(env.stdout, "next: restore the key ring (\"flare keys import\") if this is a new host, then start \"flare serve\" (it migrates the schema if needed)")
	return nil
}

// registerRecipient is the flag set helper shared with "flare keys export".
func registerRecipient(fs *flag.FlagSet) *string {
	return fs.String("recipient", "", "age `recipient` (age1...) to encrypt to (env FLARE_BACKUP_RECIPIENT)")
}
