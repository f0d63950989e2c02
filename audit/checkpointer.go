package audit

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// Checkpointer signs checkpoints of the log's current tree and publishes
// them to a sink. It never signs a tree that does not extend the latest
// checkpoint it trusts: if the database was rewritten, publishing fails
// instead of blessing the rewrite. Safe for concurrent use.
type Checkpointer struct {
	key  *Key
	sink Sink

	mu sync.Mutex
	// pos is how far into the sink the checkpointer has read; new holds
	// the checkpoints read since the last Publish, which the tree must
	// also match (another process may have published them).
	pos  int64
	new  []Checkpoint
	last Checkpoint
	has  bool
}

// NewCheckpointer returns a checkpointer signing with key into sink.
func NewCheckpointer(key *Key, sink Sink) *Checkpointer {
	return &Checkpointer{key: key, sink: sink}
}

// Publish signs and publishes a checkpoint of tree, unless the tree has not
// grown since the latest checkpoint. It returns the checkpoint that now
// covers the tree and whether it published a new one.
//
// Before signing it reads the checkpoints published since its last call
// (by it or by another process), and checks that the tree matches each of
// them and extends the latest by a consistency proof. A tree that does not,
// or a damaged sink, is an error, and nothing is signed: a rewrite of the
// database must not be laundered into a fresh checkpoint.
func (c *Checkpointer) Publish(ctx context.Context, tree TreeReader) (Checkpoint, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.readSink(); err != nil {
		return Checkpoint{}, false, fmt.Errorf("refusing to sign a checkpoint: %w", err)
	}
	size, err := tree.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint: tree size: %w", err)
	}
	reader := ctxHashReader{ctx: ctx, tree: tree}
	root, err := tlog.TreeHash(size, reader)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint: root of tree size %d: %w", size, err)
	}
	for _, cp := range c.new {
		if cp.Size > size {
			return Checkpoint{}, false, fmt.Errorf("refusing to sign a checkpoint: %w", &VerifyError{Seq: size, Problem: fmt.Sprintf(
				"the log has %d entries but a signed checkpoint covers %d: entries from seq %d on were deleted", size, cp.Size, size)})
		}
		if h, err := tlog.TreeHash(cp.Size, reader); err != nil || h != cp.Hash {
			return Checkpoint{}, false, fmt.Errorf("refusing to sign a checkpoint: %w", &VerifyError{Seq: -1, Problem: fmt.Sprintf(
				"the tree of size %d does not match the signed checkpoint of that size: entries before seq %d were changed", cp.Size, cp.Size)})
		}
	}
	c.new = nil
	if c.has {
		if err := CheckConsistency(ctx, tree, c.last, size, root); err != nil {
			return Checkpoint{}, false, fmt.Errorf("refusing to sign a checkpoint: %w", err)
		}
		if size == c.last.Size {
			return c.last, false, nil
		}
	} else if size == 0 {
		return Checkpoint{Origin: c.key.Name(), Hash: root}, false, nil
	}
	cp := Checkpoint{Origin: c.key.Name(), Size: size, Hash: root}
	signed, err := SignCheckpoint(cp, c.key)
	if err != nil {
		return Checkpoint{}, false, err
	}
	if err := c.sink.Publish(signed); err != nil {
		return Checkpoint{}, false, err
	}
	c.last, c.has = cp, true
	// Read past what was just written, so that a sink emptied or cut
	// short from now on is noticed by the next Publish.
	if err := c.readSink(); err != nil {
		return cp, true, fmt.Errorf("checkpoint of size %d published, but reading the sink back failed: %w", size, err)
	}
	return cp, true, nil
}

// readSink checks the signatures of the checkpoints published since the
// last read, and keeps them to check the tree against.
func (c *Checkpointer) readSink() error {
	notes, pos, err := c.sink.ReadFrom(c.pos)
	if err != nil {
		return err
	}
	for i, msg := range notes {
		cp, err := OpenCheckpoint(msg, c.key.Verifier())
		if err != nil {
			return fmt.Errorf("checkpoint %d after position %d: %w", i+1, c.pos, err)
		}
		if c.has && cp.Size == c.last.Size && cp.Hash != c.last.Hash {
			return &VerifyError{Seq: -1, Problem: fmt.Sprintf("two signed checkpoints of tree size %d have different roots: the log forked", cp.Size)}
		}
		c.new = append(c.new, cp)
		if !c.has || cp.Size > c.last.Size {
			c.last, c.has = cp, true
		}
	}
	c.pos = pos
	return nil
}
