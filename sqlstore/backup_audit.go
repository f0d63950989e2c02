package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/backup"
)

// This file ties backups to the signed audit checkpoints. A restored log
// is shorter than the one later checkpoints signed; only a checkpoint of
// the backup's own tree lets a restore prove it is a prefix of them.

// CheckpointBackup makes the backup's audit tree a signed checkpoint, so
// that a restore from it can prove its log is a prefix of every tree signed
// later (see AdoptRestoredAudit). It publishes a checkpoint of size
// m.AuditSize and root m.AuditRoot to sink, signed with key, unless one of
// that size is there already, and only after proving, on a fresh snapshot of
// the live log, that the backup's tree is a prefix of the live tree and
// that the live tree extends the latest trusted checkpoint. A backup whose
// log does not pass is refused: it must not be blessed by a signature.
func (db *DB) CheckpointBackup(ctx context.Context, m backup.Manifest, key *audit.Key, sink audit.Sink) (published bool, err error) {
	trusted, err := audit.TrustedCheckpoints(sink, key.Verifier())
	if err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	for _, cp := range trusted {
		if cp.Size == m.AuditSize {
			if cp.Hash != m.AuditRoot {
				return false, fmt.Errorf("checkpoint the backup: %w", &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf(
					"the backup's audit tree of size %d does not match the signed checkpoint of that size", m.AuditSize)})
			}
			return false, nil
		}
	}
	if m.AuditSize == 0 {
		return false, nil
	}
	err = db.withAuditSnapshot(ctx, func(s *auditSnapshot) error {
		size, err := s.TreeSize(ctx)
		if err != nil {
			return err
		}
		if size < m.AuditSize {
			return &audit.VerifyError{Seq: size, Problem: fmt.Sprintf("the live log has %d entries, fewer than the backup's %d", size, m.AuditSize)}
		}
		prefix, err := tlog.TreeHash(m.AuditSize, s.reader(ctx))
		if err != nil {
			return err
		}
		if prefix != m.AuditRoot {
			return &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf("the backup's audit tree of size %d is not a prefix of the live log", m.AuditSize)}
		}
		if latest, ok := audit.Latest(trusted); ok {
			root, err := tlog.TreeHash(size, s.reader(ctx))
			if err != nil {
				return err
			}
			return audit.CheckConsistency(ctx, s, latest, size, root)
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	signed, err := audit.SignCheckpoint(audit.Checkpoint{Origin: key.Name(), Size: m.AuditSize, Hash: m.AuditRoot}, key)
	if err != nil {
		return false, err
	}
	if err := sink.Publish(signed); err != nil {
		return false, fmt.Errorf("checkpoint the backup: %w", err)
	}
	return true, nil
}

// AuditAdoption is what AdoptRestoredAudit did to the checkpoint file.
type AuditAdoption struct {
	// Kept is how many checkpoints (all of size <= the restored log) stay.
	Kept int
	// Superseded is how many checkpoints of trees larger than the restored
	// log were moved to Archive; LostFrom is the first seq they covered
	// that the restored log lacks, LostTo the size of the largest.
	Superseded       int
	Archive          string
	LostFrom, LostTo int64
}

// AdoptRestoredAudit makes the checkpoint file at path agree with a log
// restored from the backup m, without trusting anything less:
//
//   - the restored log must verify (audit.Verify) against every signed
//     checkpoint of its size or smaller, and its root must be the
//     manifest's;
//   - if the file holds checkpoints of larger trees (entries written after
//     the backup, now lost), one of them must be the checkpoint of exactly
//     the backup's size and root (flare backup signs it, see
//     CheckpointBackup). Since every checkpoint is signed only after the
//     signer proved it extends the previous one, the restored log is then a
//     prefix of each later signed tree. The later checkpoints are moved,
//     byte for byte, to an archive file next to path (the evidence of what
//     was lost), and path keeps the others, so that "flare audit verify"
//     passes against it and new checkpoints extend the restored log.
//
// Without such a checkpoint nothing is changed and the error says so: the
// operator then decides, as docs/operations.md describes.
func (db *DB) AdoptRestoredAudit(ctx context.Context, m backup.Manifest, v note.Verifier, path string, now time.Time) (AuditAdoption, error) {
	sink := audit.NewFileSink(path)
	notes, err := sink.ReadAll()
	if err != nil {
		return AuditAdoption{}, fmt.Errorf("read checkpoints: %w", err)
	}
	var keep, later [][]byte
	var kept []audit.Checkpoint
	var res AuditAdoption
	exact := false
	for i, msg := range notes {
		cp, err := audit.OpenCheckpoint(msg, v)
		if err != nil {
			return AuditAdoption{}, fmt.Errorf("checkpoint %d of %d in %s: %w", i+1, len(notes), path, err)
		}
		if cp.Size <= m.AuditSize {
			keep, kept = append(keep, msg), append(kept, cp)
			exact = exact || (cp.Size == m.AuditSize && cp.Hash == m.AuditRoot)
			continue
		}
		later = append(later, msg)
		if res.LostTo < cp.Size {
			res.LostTo = cp.Size
		}
	}
	slices.SortStableFunc(kept, func(a, b audit.Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	got, err := db.VerifyAudit(ctx, kept)
	if err != nil {
		return AuditAdoption{}, fmt.Errorf("the restored audit log does not verify: %w", err)
	}
	if got.Size != m.AuditSize || got.Root != m.AuditRoot {
		return AuditAdoption{}, fmt.Errorf("the restored audit log has size %d and root %s, the backup recorded %d and %s", got.Size, got.Root, m.AuditSize, m.AuditRoot)
	}
	res.Kept = len(keep)
	if len(later) == 0 {
		return res, nil
	}
	if !exact {
		return AuditAdoption{}, &audit.VerifyError{Seq: -1, Problem: fmt.Sprintf(
			"%s holds checkpoints of up to %d entries, and none of exactly the backup's %d: nothing proves the restored log is a prefix of the signed one. The checkpoint file was left as it is",
			path, res.LostTo, m.AuditSize)}
	}
	res.Superseded, res.LostFrom = len(later), m.AuditSize
	res.Archive = fmt.Sprintf("%s.before-restore-%s", path, now.UTC().Format("20060102T150405Z"))
	if err := writeNewFile(res.Archive, later); err != nil {
		return AuditAdoption{}, err
	}
	tmp := path + ".restore-tmp"
	if err := writeNewFile(tmp, keep); err != nil {
		return AuditAdoption{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return AuditAdoption{}, fmt.Errorf("replace %s: %w", path, err)
	}
	return res, syncDir(filepath.Dir(path))
}

// writeNewFile writes signed notes, each followed by an empty line as in a
// FileSink, to a new 0600 file.
func writeNewFile(path string, notes [][]byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write checkpoints: %w", err)
	}
	for _, n := range notes {
		if _, err = f.Write(append(slices.Clip(n), '\n')); err != nil {
			break
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write checkpoints to %s: %w", path, err)
	}
	return nil
}
