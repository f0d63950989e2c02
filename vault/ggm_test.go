package vault

import (
	"math/rand/v2"
	"testing"
)

// TestPunctureKeepsOtherLeaves: after puncturing some slots, exactly those
// slots are underivable and every other leaf is unchanged.
func TestPunctureKeepsOtherLeaves(t *testing.T) {
	root, err := randomKey()
	if err != nil {
		t.Fatal(err)
	}
	full := newTree(root)
	tr := newTree(root)
	rng := rand.New(rand.NewPCG(1, 2))
	punctured := map[uint32]bool{0: true, 1: true, ^uint32(0): true, 1 << 31: true}
	for range 200 {
		punctured[rng.Uint32()] = true
	}
	for s := range punctured {
		if !tr.puncture(s) {
			t.Fatalf("puncture(%d) reported no change", s)
		}
		if tr.puncture(s) {
			t.Fatalf("second puncture(%d) reported a change", s)
		}
	}
	if n := len(tr.nodes); n > len(punctured)*slotBits {
		t.Errorf("tree has %d nodes after %d punctures, want at most %d", n, len(punctured), len(punctured)*slotBits)
	}
	// Neighbours share the longest paths with punctured slots: the
	// likeliest place for a bug.
	probe := []uint32{2, 3, ^uint32(0) - 1, 1<<31 + 1, 1<<31 - 1}
	for s := range punctured {
		probe = append(probe, s^1, s^2, s^(1<<16), s+7)
	}
	for range 2000 {
		probe = append(probe, rng.Uint32())
	}
	for _, s := range probe {
		want, _ := full.leaf(s)
		got, ok := tr.leaf(s)
		switch {
		case punctured[s] && ok:
			t.Fatalf("slot %d is punctured but its leaf is derivable", s)
		case !punctured[s] && !ok:
			t.Fatalf("slot %d was not punctured but its leaf is gone", s)
		case !punctured[s] && got != want:
			t.Fatalf("slot %d: leaf changed by puncturing other slots", s)
		}
	}
	for s := range punctured {
		if !tr.punctured(s) {
			t.Fatalf("punctured(%d) = false", s)
		}
	}
}

// TestNoNodeDerivesAPuncturedLeaf checks the security property directly:
// no node left in the tree is an ancestor of (or equal to) a punctured
// leaf, so nothing in the key ring can derive it.
func TestNoNodeDerivesAPuncturedLeaf(t *testing.T) {
	root, _ := randomKey()
	tr := newTree(root)
	slots := []uint32{5, 6, 1 << 20, 0xdeadbeef}
	for _, s := range slots {
		tr.puncture(s)
	}
	for id := range tr.nodes {
		for _, s := range slots {
			if prefixOf(s, int(id.depth)) == id.prefix {
				t.Fatalf("node %d/%d covers punctured slot %d", id.depth, id.prefix, s)
			}
		}
	}
}
