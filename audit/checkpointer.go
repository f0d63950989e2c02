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

	mu     sync.Mutex
	loaded bool
	last   Checkpoint
	has    bool
}

// NewCheckpointer returns a checkpointer signing with key into sink.
func NewCheckpointer(key *Key, sink Sink) *Checkpointer {
	return &Checkpointer{key: key, sink: sink}
}

// Publish signs and publishes a checkpoint of tree, unless the tree has not
// grown since the latest checkpoint. It returns the checkpoint that now
// covers the tree and whether it published a new one. A tree smaller than,
// or not an extension of, the latest trusted checkpoint is a *VerifyError.
func (c *Checkpointer) Publish(ctx context.Context, tree TreeReader) (Checkpoint, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		cps, err := TrustedCheckpoints(c.sink, c.key.Verifier())
		if err != nil {
			return Checkpoint{}, false, fmt.Errorf("load checkpoints: %w", err)
		}
		c.last, c.has = Latest(cps)
		c.loaded = true
	}
	size, err := tree.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint: tree size: %w", err)
	}
	root, err := tlog.TreeHash(size, ctxHashReader{ctx: ctx, tree: tree})
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("checkpoint: root of tree size %d: %w", size, err)
	}
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
	return cp, true, nil
}
