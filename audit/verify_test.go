package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare/audit"
)

// checkpointed returns a key, a sink and a checkpointer with one checkpoint
// of m already published.
func checkpointed(t *testing.T, m *memLog) (*audit.Key, audit.Sink, *audit.Checkpointer) {
	t.Helper()
	k := newKey(t, audit.DefaultKeyName)
	sink := audit.NewFileSink(filepath.Join(t.TempDir(), audit.CheckpointsFileName))
	c := audit.NewCheckpointer(k, sink)
	if _, published, err := c.Publish(context.Background(), m); err != nil || !published {
		t.Fatalf("publish = %v, %v", published, err)
	}
	return k, sink, c
}

func verify(t *testing.T, m *memLog, k *audit.Key, sink audit.Sink) (audit.Result, error) {
	t.Helper()
	cps, err := audit.TrustedCheckpoints(sink, k.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	return audit.Verify(context.Background(), m, cps)
}

func wantVerifyError(t *testing.T, err error, seq int64, words string) {
	t.Helper()
	var ve *audit.VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *VerifyError", err)
	}
	if ve.Seq != seq || !strings.Contains(ve.Problem, words) {
		t.Fatalf("error = %v (seq %d), want seq %d and %q", err, ve.Seq, seq, words)
	}
}

func TestVerifyOK(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{1, 2, 3, 7, 8, 9, 1000, 1001, 2500} {
		first, second := n/2+1, max(n*3/4, n/2+1)
		m := newMemLog(t, first)
		k, sink, c := checkpointed(t, m)
		for i := first; i < second; i++ {
			m.appendEntry(t, sampleEntry(i))
		}
		if _, _, err := c.Publish(ctx, m); err != nil {
			t.Fatal(err)
		}
		for i := second; i < n; i++ {
			m.appendEntry(t, sampleEntry(i))
		}
		res, err := verify(t, m, k, sink)
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		want, _ := tlog.TreeHash(int64(n), tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return m.ReadHashes(ctx, idx) }))
		if res.Size != int64(n) || res.Root != want || res.Checkpoint.Size != int64(second) {
			t.Errorf("n=%d: result %+v, want size %d root %v checkpoint %d", n, res, n, want, second)
		}
	}
}

func TestVerifyEmptyLog(t *testing.T) {
	res, err := audit.Verify(context.Background(), &memLog{}, nil)
	if err != nil || res.Size != 0 {
		t.Fatalf("empty log = %+v, %v", res, err)
	}
}

func TestVerifyNeedsACheckpoint(t *testing.T) {
	_, err := audit.Verify(context.Background(), newMemLog(t, 3), nil)
	wantVerifyError(t, err, -1, "no signed checkpoint")
}

// TestVerifyTamper is R-AU4 on the in-memory log; the store tests repeat
// it on SQLite and PostgreSQL.
func TestVerifyTamper(t *testing.T) {
	const n = 40
	tests := []struct {
		name   string
		tamper func(t *testing.T, m *memLog)
		seq    int64
		words  string
	}{
		{"(a) edit one row", func(t *testing.T, m *memLog) { m.entries[17].UserID = "someone-else" }, 17, "edited"},
		{"(a) edit the justification", func(t *testing.T, m *memLog) { m.entries[3].Justification = "changed" }, 3, "edited"},
		{"(a) make a row invalid", func(t *testing.T, m *memLog) { m.entries[5].Action = "peek" }, 5, "not valid"},
		{"(a) swap two rows", func(t *testing.T, m *memLog) {
			m.entries[8], m.entries[9] = m.entries[9], m.entries[8]
			m.entries[8].Seq, m.entries[9].Seq = 8, 9
		}, 8, "edited"},
		{"(a) edit a stored tree hash", func(t *testing.T, m *memLog) { m.hashes[tlog.StoredHashIndex(1, 3)] = tlog.Hash{} }, 7, "stored tree"},
		{"(b) edit a row and recompute every hash", func(t *testing.T, m *memLog) {
			m.entries[17].UserID = "someone-else"
			m.rehash(t)
		}, -1, "do not match the signed checkpoint"},
		{"(c) delete the last 10 entries and their hashes", func(t *testing.T, m *memLog) {
			m.entries = m.entries[:n-10]
			for idx := range m.hashes {
				if idx >= tlog.StoredHashCount(n-10) {
					delete(m.hashes, idx)
				}
			}
		}, n - 10, "deleted"},
		{"(c) delete the last 10 entries only", func(t *testing.T, m *memLog) { m.entries = m.entries[:n-10] }, n - 10, "deleted"},
		{"delete one entry in the middle", func(t *testing.T, m *memLog) {
			m.entries = append(m.entries[:12:12], m.entries[13:]...)
		}, 12, "missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemLog(t, n)
			k, sink, _ := checkpointed(t, m)
			if _, err := verify(t, m, k, sink); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			tt.tamper(t, m)
			_, err := verify(t, m, k, sink)
			wantVerifyError(t, err, tt.seq, tt.words)
		})
	}
}

// TestVerifyTamperAfterCheckpoint: an edit after the checkpoint, hashes
// recomputed, is caught by the consistency proof when the checkpoint is
// older than the tree.
func TestVerifyTamperRecomputedBeyondCheckpoint(t *testing.T) {
	m := newMemLog(t, 20)
	k, sink, _ := checkpointed(t, m)
	for i := 20; i < 50; i++ {
		m.appendEntry(t, sampleEntry(i))
	}
	m.entries[4].RecordID = "x"
	m.rehash(t)
	_, err := verify(t, m, k, sink)
	wantVerifyError(t, err, -1, "do not match the signed checkpoint")
}

// TestCheckpointerRefusesRewrite: the checkpointer will not sign a tree
// that does not extend its last checkpoint, so a rewrite cannot launder
// itself into a fresh checkpoint.
func TestCheckpointerRefusesRewrite(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		tamper func(t *testing.T, m *memLog)
	}{
		{"edit and recompute", func(t *testing.T, m *memLog) {
			m.entries[2].Fields = []string{"name"}
			m.rehash(t)
			m.appendEntry(t, sampleEntry(99))
		}},
		{"shrink", func(t *testing.T, m *memLog) { m.entries = m.entries[:5]; m.rehash(t) }},
		{"same size, other root", func(t *testing.T, m *memLog) { m.entries[9].CaseID = "x"; m.rehash(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMemLog(t, 10)
			k, sink, c := checkpointed(t, m)
			tt.tamper(t, m)
			before, _ := sink.ReadAll()
			// The running checkpointer, and a fresh one that reads the
			// sink (another process, or "flare audit checkpoint"), refuse.
			for _, c := range []*audit.Checkpointer{c, audit.NewCheckpointer(k, sink)} {
				if _, _, err := c.Publish(ctx, m); err == nil || !strings.Contains(err.Error(), "refusing") {
					t.Fatalf("publish = %v, want a refusal", err)
				}
			}
			after, _ := sink.ReadAll()
			if len(after) != len(before) {
				t.Errorf("a checkpoint was published for a rewritten log")
			}
		})
	}
}

func TestCheckpointerSkipsUnchanged(t *testing.T) {
	ctx := context.Background()
	m := newMemLog(t, 5)
	_, sink, c := checkpointed(t, m)
	if _, published, err := c.Publish(ctx, m); err != nil || published {
		t.Fatalf("republish = %v, %v; want nothing new", published, err)
	}
	m.appendEntry(t, sampleEntry(5))
	cp, published, err := c.Publish(ctx, m)
	if err != nil || !published || cp.Size != 6 {
		t.Fatalf("publish after growth = %+v %v %v", cp, published, err)
	}
	if notes, _ := sink.ReadAll(); len(notes) != 2 {
		t.Errorf("sink holds %d checkpoints, want 2", len(notes))
	}
}

func TestCheckpointerEmptyLog(t *testing.T) {
	k := newKey(t, audit.DefaultKeyName)
	sink := audit.NewFileSink(filepath.Join(t.TempDir(), "cp"))
	if _, published, err := audit.NewCheckpointer(k, sink).Publish(context.Background(), &memLog{}); err != nil || published {
		t.Fatalf("empty log: published %v, %v", published, err)
	}
}

// TestCheckpointerSeesOtherPublishers: a checkpointer checks the tree
// against checkpoints another process published since its last call, so a
// rewrite between its own checkpoints and another's is still refused.
func TestCheckpointerSeesOtherPublishers(t *testing.T) {
	ctx := context.Background()
	m := newMemLog(t, 10)
	k, sink, b := checkpointed(t, m) // b: this process, last checkpoint at 10
	for i := 10; i < 20; i++ {
		m.appendEntry(t, sampleEntry(i))
	}
	a := audit.NewCheckpointer(k, sink) // another instance
	if cp, published, err := a.Publish(ctx, m); err != nil || !published || cp.Size != 20 {
		t.Fatalf("other instance: %+v %v %v", cp, published, err)
	}
	m.entries[15].RecordID = "x" // after b's checkpoint, before a's
	m.rehash(t)
	m.appendEntry(t, sampleEntry(20))
	if _, _, err := b.Publish(ctx, m); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("publish = %v, want a refusal", err)
	}
	// And the refusal persists: it is an alarm, not a one-off.
	if _, _, err := b.Publish(ctx, m); err == nil {
		t.Fatal("second publish after the refusal succeeded")
	}
}

func TestCheckpointerRefusesShrunkSink(t *testing.T) {
	ctx := context.Background()
	m := newMemLog(t, 4)
	k := newKey(t, audit.DefaultKeyName)
	path := filepath.Join(t.TempDir(), "cp")
	c := audit.NewCheckpointer(k, audit.NewFileSink(path))
	if _, _, err := c.Publish(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	m.appendEntry(t, sampleEntry(4))
	if _, _, err := c.Publish(ctx, m); err == nil || !strings.Contains(err.Error(), "shrank") {
		t.Fatalf("publish after the checkpoint file was emptied = %v, want a refusal", err)
	}
}
