package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

const auditSynopsis = "verify | checkpoint | export --out FILE.csv [--case ID] | verifier-key [flags]"

// auditFlags locate the checkpoint signing key and the checkpoint file,
// which live outside the database: by default in the data directory, better
// on another disk or host (see docs/audit.md).
type auditFlags struct {
	key         string
	checkpoints string
}

// auditEnv maps the audit flags to their environment variables.
var auditEnv = map[string]string{"audit-key": "FLARE_AUDIT_KEY", "checkpoints": "FLARE_AUDIT_CHECKPOINTS"}

func (f *auditFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.key, "audit-key", "", "checkpoint signing key `file` (0600), never in the database nor its backups (env FLARE_AUDIT_KEY; default DATA/"+audit.KeyFileName+")")
	fs.StringVar(&f.checkpoints, "checkpoints", "", "append-only `file` of signed checkpoints, outside the database (env FLARE_AUDIT_CHECKPOINTS; default DATA/"+audit.CheckpointsFileName+")")
}

// resolve fills the defaults inside the data directory.
func (f *auditFlags) resolve(dataDir string) {
	if f.key == "" {
		f.key = filepath.Join(dataDir, audit.KeyFileName)
	}
	if f.checkpoints == "" {
		f.checkpoints = filepath.Join(dataDir, audit.CheckpointsFileName)
	}
}

// loadKey loads the signing key, or creates it when create is set (the
// first checkpoint of a new installation).
func (f *auditFlags) loadKey(create bool) (*audit.Key, error) {
	if create {
		k, _, err := audit.LoadOrCreateKey(f.key, audit.DefaultKeyName)
		if err != nil {
			return nil, flare.Errorf(flare.EINVALID, "-audit-key: %v", err)
		}
		return k, nil
	}
	k, err := audit.LoadKey(f.key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, flare.Errorf(flare.EINVALID, "-audit-key: no audit signing key at %s (check -audit-key; \"flare audit checkpoint\" creates one)", f.key)
	}
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "-audit-key: %v", err)
	}
	return k, nil
}

// runAudit verifies the audit log, publishes a checkpoint of it, or exports
// it as CSV for an oversight body.
func runAudit(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("audit", auditSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	var af auditFlags
	af.register(fs)
	out := fs.String("out", "", "CSV `file` to create (export; - for standard output)")
	caseID := fs.String("case", "", "export only the entries of the case with this `id` (export)")
	envNames := envOf(dbEnv, auditEnv)
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return flare.Errorf(flare.EINVALID, "usage: flare audit %s", auditSynopsis)
	}
	af.resolve(db.data)
	switch pos[0] {
	case "verify":
		return auditVerify(ctx, env, &db, &af)
	case "checkpoint":
		return auditCheckpoint(ctx, env, &db, &af)
	case "export":
		return auditExport(ctx, env, &db, *out, *caseID)
	case "verifier-key":
		key, err := af.loadKey(false)
		if err != nil {
			return err
		}
		// The public half: an oversight body checks checkpoints with it
		// and cannot sign with it.
		fmt.Fprintln(env.stdout, key.VerifierKey())
		return nil
	}
	return flare.Errorf(flare.EINVALID, "unknown action %q; usage: flare audit %s", pos[0], auditSynopsis)
}

// auditVerify prints one line: OK with the tree size (exit 0), or the seq
// where verification failed (exit 1).
func auditVerify(ctx context.Context, env *cliEnv, db *dbFlags, af *auditFlags) error {
	key, err := af.loadKey(false)
	if err != nil {
		return err
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	cps, err := audit.TrustedCheckpoints(audit.NewFileSink(af.checkpoints), key.Verifier())
	if err != nil {
		return fmt.Errorf("verification FAILED: %w", err)
	}
	res, err := store.VerifyAudit(ctx, cps)
	var ve *audit.VerifyError
	switch {
	case errors.As(err, &ve) && ve.Seq >= 0:
		return fmt.Errorf("verification FAILED at seq %d: %s", ve.Seq, ve.Problem)
	case errors.As(err, &ve):
		return fmt.Errorf("verification FAILED: %s", ve.Problem)
	case err != nil:
		return err
	}
	if res.Size == 0 {
		fmt.Fprintln(env.stdout, "audit log OK: tree size 0 (empty)")
		return nil
	}
	fmt.Fprintf(env.stdout, "audit log OK: tree size %d, root %s, extends the signed checkpoint of tree size %d (%d checkpoints checked)\n",
		res.Size, res.Root, res.Checkpoint.Size, res.Checkpoints)
	return nil
}

// auditCheckpoint publishes a signed checkpoint of the log as it stands,
// unless it has not grown; it refuses (exit 1) if the log no longer extends
// the last checkpoint.
func auditCheckpoint(ctx context.Context, env *cliEnv, db *dbFlags, af *auditFlags) error {
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	key, err := af.loadKey(true)
	if err != nil {
		return err
	}
	c := audit.NewCheckpointer(key, audit.NewFileSink(af.checkpoints))
	cp, published, err := store.PublishAuditCheckpoint(ctx, c)
	if err != nil {
		return err
	}
	if !published {
		fmt.Fprintf(env.stdout, "no new checkpoint: tree size %d is already covered in %s\n", cp.Size, af.checkpoints)
		return nil
	}
	fmt.Fprintf(env.stdout, "published checkpoint: tree size %d, root %s, to %s\n", cp.Size, cp.Hash, af.checkpoints)
	return nil
}

// auditExport writes the trail as CSV. The export is itself recorded in the
// log first, so that a failed export is over-reported rather than hidden.
func auditExport(ctx context.Context, env *cliEnv, db *dbFlags, out, caseID string) error {
	if out == "" {
		return usageError("out", "is required: the CSV file to create, or - for standard output")
	}
	record := audit.Entry{Console: true, Action: audit.ActionExport, Outcome: audit.OutcomeOK,
		RecordType: "audit_log", CaseID: caseID}
	probe := record
	probe.At = time.Unix(0, 0) // AppendAudit stamps the time; only the case id is in question
	if err := probe.Validate(); err != nil {
		return usageError("case", "is not a case id")
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	w, finish, err := createExport(out, env.stdout)
	if err != nil {
		return err
	}
	err = store.InTx(ctx, func(tx *sql.Tx) error {
		_, err := store.AppendAudit(ctx, tx, record)
		return err
	})
	var n int64
	if err == nil {
		n, err = store.ExportAuditCSV(ctx, w, sqlstore.AuditFilter{CaseID: caseID})
	}
	if err := finish(err); err != nil {
		return err
	}
	msgOut := env.stdout
	if out == "-" {
		msgOut = env.stderr
	}
	fmt.Fprintf(msgOut, "exported %d audit entries to %s\n", n, out)
	return nil
}

// createExport opens the export's destination: a new file, 0600 as it says
// who looked at which case, or standard output for "-". finish closes it,
// and removes a file whose export failed.
func createExport(out string, stdout io.Writer) (io.Writer, func(error) error, error) {
	if out == "-" {
		return stdout, func(err error) error { return err }, nil
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, nil, usageError("out", "%s exists; choose a new file name", out)
	}
	if err != nil {
		return nil, nil, usageError("out", "%v", err)
	}
	return f, func(err error) error {
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(out)
			return fmt.Errorf("export to %s: %w", out, err)
		}
		return nil
	}, nil
}
