package audit

import (
	"context"
	"fmt"
	"math"
	"math/bits"

	"golang.org/x/mod/sumdb/tlog"
)

// StoredHash is one hash of the Merkle tree as the database stores it, at
// its tlog stored-hash index (tlog.StoredHashIndex).
type StoredHash struct {
	Index int64
	Hash  tlog.Hash
}

// TreeReader reads the Merkle tree a database holds, all from one snapshot.
type TreeReader interface {
	// TreeSize returns the number of entries in the log.
	TreeSize(ctx context.Context) (int64, error)
	// ReadHashes returns the stored hashes at the given indexes, in order,
	// or an error if one is missing.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
}

// LogReader reads the whole log a database holds, all from one snapshot.
type LogReader interface {
	TreeReader
	// ReadEntries returns up to limit entries with seq >= from in seq
	// order: whatever is stored, gaps included.
	ReadEntries(ctx context.Context, from int64, limit int) ([]Entry, error)
	// ReadHashRange returns the stored hashes with lo <= index < hi in
	// index order: whatever is stored, gaps included.
	ReadHashRange(ctx context.Context, lo, hi int64) ([]StoredHash, error)
}

// VerifyError is a failed check of the log: the evidence of tampering (or
// of damage) that verify reports. Seq is the entry where the check failed,
// or -1 when the failure concerns the tree as a whole.
type VerifyError struct {
	Seq     int64
	Problem string
}

// Error implements the error interface.
func (e *VerifyError) Error() string {
	if e.Seq < 0 {
		return "audit log: " + e.Problem
	}
	return fmt.Sprintf("audit log: seq %d: %s", e.Seq, e.Problem)
}

// Result is what a successful Verify proved.
type Result struct {
	// Size is the number of entries; Root the Merkle root over them.
	Size int64
	Root tlog.Hash
	// Checkpoint is the latest trusted checkpoint, which the log extends;
	// Checkpoints is how many trusted checkpoints the log matched.
	Checkpoint  Checkpoint
	Checkpoints int
}

// verifyBatch is how many entries Verify reads at a time.
const verifyBatch = 1000

// Verify recomputes the Merkle tree from the entries the log holds and
// checks, in order:
//
//   - seq runs from 0 with no gap;
//   - every entry is valid and its leaf hash, and every tree hash its
//     append stored, equal what the entries give (an edited row fails at
//     its seq);
//   - the root of the recomputed tree at each trusted checkpoint's size is
//     that checkpoint's root (a row edited with every later hash
//     recomputed fails here, as the attacker cannot sign);
//   - no trusted checkpoint is larger than the log, and no tree hash is
//     stored beyond it (deleted recent entries fail here);
//   - a consistency proof from the latest trusted checkpoint to the current
//     tree checks (RFC 6962, tlog.CheckTree).
//
// trusted must hold checkpoints whose signatures were checked (see
// TrustedCheckpoints), sorted by size. A non-empty log with no trusted
// checkpoint fails: without one, a rewritten log would verify.
// Verify keeps O(log n) hashes in memory however long the log.
func Verify(ctx context.Context, log LogReader, trusted []Checkpoint) (Result, error) {
	for i := 1; i < len(trusted); i++ {
		if trusted[i].Size < trusted[i-1].Size {
			return Result{}, fmt.Errorf("verify audit log: trusted checkpoints are not sorted by size")
		}
	}
	var f frontier
	next := 0 // next checkpoint to check
	check := func(size int64) error {
		for ; next < len(trusted) && trusted[next].Size == size; next++ {
			root, err := f.root(size)
			if err != nil {
				return err
			}
			if root != trusted[next].Hash {
				return &VerifyError{Seq: -1, Problem: fmt.Sprintf(
					"the first %d entries (seq 0 to %d) do not match the signed checkpoint for that size: an entry before seq %d was changed or removed, and the stored hashes rewritten to hide it",
					size, size-1, size)}
			}
		}
		return nil
	}
	if err := check(0); err != nil {
		return Result{}, err
	}
	var n int64
	for {
		entries, err := log.ReadEntries(ctx, n, verifyBatch)
		if err != nil {
			return Result{}, fmt.Errorf("verify audit log: read entries from seq %d: %w", n, err)
		}
		if len(entries) == 0 {
			break
		}
		lo, hi := tlog.StoredHashIndex(0, n), tlog.StoredHashIndex(0, n+int64(len(entries)))
		stored, err := log.ReadHashRange(ctx, lo, hi)
		if err != nil {
			return Result{}, fmt.Errorf("verify audit log: read tree hashes %d to %d: %w", lo, hi, err)
		}
		byIndex := make(map[int64]tlog.Hash, len(stored))
		for _, h := range stored {
			byIndex[h.Index] = h.Hash
		}
		for _, e := range entries {
			if err := f.add(n, e, byIndex); err != nil {
				return Result{}, err
			}
			n++
			if err := check(n); err != nil {
				return Result{}, err
			}
		}
	}
	size := n
	if next < len(trusted) {
		return Result{}, &VerifyError{Seq: size, Problem: fmt.Sprintf(
			"the log has %d entries but a signed checkpoint covers %d: entries from seq %d on were deleted",
			size, trusted[len(trusted)-1].Size, size)}
	}
	extra, err := log.ReadHashRange(ctx, tlog.StoredHashIndex(0, size), math.MaxInt64)
	if err != nil {
		return Result{}, fmt.Errorf("verify audit log: read tree hashes after the last entry: %w", err)
	}
	if len(extra) > 0 {
		return Result{}, &VerifyError{Seq: size, Problem: "tree hashes are stored for entries that are missing: entries from this seq on were deleted"}
	}
	root, err := f.root(size)
	if err != nil {
		return Result{}, err
	}
	res := Result{Size: size, Root: root, Checkpoints: len(trusted)}
	latest, ok := Latest(trusted)
	if !ok {
		if size > 0 {
			return Result{}, &VerifyError{Seq: -1, Problem: "no signed checkpoint to check the log against: without one, a rewritten log would pass (run \"flare audit checkpoint\" and keep the checkpoint file)"}
		}
		return res, nil
	}
	res.Checkpoint = latest
	if err := CheckConsistency(ctx, log, latest, size, root); err != nil {
		return Result{}, err
	}
	return res, nil
}

// CheckConsistency proves from the stored hashes that the tree of size
// whose root is root extends the trusted checkpoint cp: RFC 6962's
// consistency proof, checked with tlog.CheckTree.
func CheckConsistency(ctx context.Context, tree TreeReader, cp Checkpoint, size int64, root tlog.Hash) error {
	if size < cp.Size {
		return &VerifyError{Seq: size, Problem: fmt.Sprintf("the log has %d entries but a signed checkpoint covers %d: entries from seq %d on were deleted", size, cp.Size, size)}
	}
	if size == cp.Size {
		if root != cp.Hash {
			return &VerifyError{Seq: -1, Problem: fmt.Sprintf("the tree of size %d does not match the signed checkpoint of that size", size)}
		}
		return nil
	}
	r := ctxHashReader{ctx: ctx, tree: tree}
	proof, err := tlog.ProveTree(size, cp.Size, r)
	if err != nil {
		return fmt.Errorf("consistency proof from tree size %d to %d: %w", cp.Size, size, err)
	}
	if err := tlog.CheckTree(proof, size, root, cp.Size, cp.Hash); err != nil {
		return &VerifyError{Seq: -1, Problem: fmt.Sprintf("the tree of size %d is not an extension of the signed checkpoint of size %d: entries before seq %d were changed", size, cp.Size, cp.Size)}
	}
	return nil
}

// ctxHashReader adapts a TreeReader to tlog.HashReader, which has no context.
type ctxHashReader struct {
	ctx  context.Context
	tree TreeReader
}

// ReadHashes implements tlog.HashReader.
func (r ctxHashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	return r.tree.ReadHashes(r.ctx, indexes)
}

// frontier holds the roots of the complete subtrees of the tree so far:
// all tlog needs to add the next record or compute the current root.
type frontier struct {
	hashes map[int64]tlog.Hash
}

// ReadHashes implements tlog.HashReader over the frontier.
func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := f.hashes[idx]
		if !ok {
			return nil, fmt.Errorf("tree hash %d is not on the frontier", idx)
		}
		out[i] = h
	}
	return out, nil
}

// add appends entry e as record n, checking it and the hashes its append
// stored against what the database holds (stored, by index).
func (f *frontier) add(n int64, e Entry, stored map[int64]tlog.Hash) error {
	if e.Seq != n {
		if e.Seq > n {
			return &VerifyError{Seq: n, Problem: fmt.Sprintf("missing: the log jumps from seq %d to %d", n-1, e.Seq)}
		}
		return &VerifyError{Seq: n, Problem: fmt.Sprintf("out of order: seq %d read where %d was expected", e.Seq, n)}
	}
	data, err := Encode(e)
	if err != nil {
		return &VerifyError{Seq: n, Problem: fmt.Sprintf("entry is not valid (%v): edited after it was written", err)}
	}
	hashes, err := tlog.StoredHashes(n, data, f)
	if err != nil {
		return fmt.Errorf("verify audit log: hash seq %d: %w", n, err)
	}
	base := tlog.StoredHashIndex(0, n)
	for k, want := range hashes {
		got, ok := stored[base+int64(k)]
		switch {
		case !ok:
			return &VerifyError{Seq: n, Problem: fmt.Sprintf("tree hash %d is missing", base+int64(k))}
		case got != want && k == 0:
			return &VerifyError{Seq: n, Problem: "the entry does not match the hash stored when it was written: it was edited"}
		case got != want:
			return &VerifyError{Seq: n, Problem: fmt.Sprintf("tree hash %d does not match the entries: the stored tree was edited", base+int64(k))}
		}
	}
	if f.hashes == nil {
		f.hashes = map[int64]tlog.Hash{}
	}
	for k, h := range hashes {
		f.hashes[base+int64(k)] = h
	}
	keep := map[int64]bool{}
	for _, idx := range frontierIndexes(n + 1) {
		keep[idx] = true
	}
	for idx := range f.hashes {
		if !keep[idx] {
			delete(f.hashes, idx)
		}
	}
	return nil
}

// root returns the Merkle root of the first size records; size must be the
// number of records added so far.
func (f *frontier) root(size int64) (tlog.Hash, error) {
	h, err := tlog.TreeHash(size, f)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("verify audit log: root of tree size %d: %w", size, err)
	}
	return h, nil
}

// frontierIndexes returns the stored-hash indexes of the complete subtrees
// that make up a tree of size records (RFC 6962 section 2.1's split).
func frontierIndexes(size int64) []int64 {
	var out []int64
	for lo := int64(0); lo < size; {
		level := bits.Len64(uint64(size-lo)) - 1
		out = append(out, tlog.StoredHashIndex(level, lo>>uint(level)))
		lo += 1 << uint(level)
	}
	return out
}
