package vault

import (
	"crypto/hmac"
	"crypto/sha256"
)

// slotBits is the depth of the GGM tree: a shred slot is a uint32. Four
// billion slots keep random choices rarely colliding (the store retries on a
// collision) and cost at most 32 new nodes in the key ring per erasure.
const slotBits = 32

// keySize is the size of every symmetric key in the package: AES-256.
const keySize = 32

// nodeID names a node of the tree: its depth (0 is the root, slotBits a
// leaf) and the top depth bits of the slots below it.
type nodeID struct {
	depth  uint8
	prefix uint32
}

// tree is a punctured GGM tree: a set of nodes whose subtrees are disjoint
// and together cover every slot not yet punctured.
type tree struct {
	nodes map[nodeID][keySize]byte
}

// newTree returns an unpunctured tree with the given root.
func newTree(root [keySize]byte) *tree {
	return &tree{nodes: map[nodeID][keySize]byte{{0, 0}: root}}
}

// prefixOf returns the top depth bits of slot (Go defines a shift by the
// full width as 0, which is the root's prefix).
func prefixOf(slot uint32, depth int) uint32 {
	return uint32(uint64(slot) >> (slotBits - depth))
}

// bitAt returns the bit of slot that chooses the child at depth+1.
func bitAt(slot uint32, depth int) uint32 {
	return (slot >> (slotBits - 1 - depth)) & 1
}

// child derives the left (0) or right (1) child key of a node. HMAC-SHA256
// keyed with the parent is a PRF, so a child reveals nothing of its parent
// or its sibling: that is what makes puncturing work.
func child(parent [keySize]byte, bit uint32) [keySize]byte {
	m := hmac.New(sha256.New, parent[:])
	m.Write([]byte("flare/ggm/v1"))
	m.Write([]byte{byte(bit)})
	var out [keySize]byte
	copy(out[:], m.Sum(nil))
	return out
}

// cover returns the node whose subtree holds slot, if any.
func (t *tree) cover(slot uint32) (nodeID, [keySize]byte, bool) {
	for d := 0; d <= slotBits; d++ {
		id := nodeID{uint8(d), prefixOf(slot, d)}
		if k, ok := t.nodes[id]; ok {
			return id, k, true
		}
	}
	return nodeID{}, [keySize]byte{}, false
}

// leaf derives the key of slot; false when the slot is punctured.
func (t *tree) leaf(slot uint32) ([keySize]byte, bool) {
	id, k, ok := t.cover(slot)
	if !ok {
		return k, false
	}
	for d := int(id.depth); d < slotBits; d++ {
		k = child(k, bitAt(slot, d))
	}
	return k, true
}

// puncture removes slot's leaf from the tree for good, keeping every other
// leaf derivable: the covering node is replaced by the siblings along the
// path down to the slot. It reports whether anything changed (puncturing
// twice is harmless).
func (t *tree) puncture(slot uint32) bool {
	id, k, ok := t.cover(slot)
	if !ok {
		return false
	}
	delete(t.nodes, id)
	for d := int(id.depth); d < slotBits; d++ {
		bit := bitAt(slot, d)
		sibling := nodeID{uint8(d + 1), prefixOf(slot, d+1) ^ 1}
		t.nodes[sibling] = child(k, 1-bit)
		k = child(k, bit)
	}
	return true
}

// punctured reports whether slot's leaf is gone.
func (t *tree) punctured(slot uint32) bool {
	_, _, ok := t.cover(slot)
	return !ok
}
