package vault

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// ringFormat names the key ring's file format; a future format gets a new
// name so that an old binary refuses it instead of misreading it.
const ringFormat = "flare-keyring-v1"

// maxKEKIDLen bounds a KEK id: it is stored in every wrapped key behind a
// one-byte length.
const maxKEKIDLen = 64

// ring is the key ring in memory.
type ring struct {
	current  string
	nextSeq  int
	keks     map[string]*kek
	blindKey [keySize]byte
}

// kek is one key-encryption key: the root of a (possibly punctured) GGM
// tree.
type kek struct {
	id      string
	created time.Time
	tree    *tree
}

// ringFile is the JSON form of the key ring. []byte fields are base64.
type ringFile struct {
	Format        string    `json:"format"`
	Current       string    `json:"current"`
	NextSeq       int       `json:"next_seq"`
	BlindIndexKey []byte    `json:"blind_index_key"`
	KEKs          []kekFile `json:"keks"`
}

type kekFile struct {
	ID      string     `json:"id"`
	Created time.Time  `json:"created"`
	Nodes   []nodeFile `json:"nodes"`
}

type nodeFile struct {
	Depth  uint8  `json:"d"`
	Prefix uint32 `json:"p"`
	Key    []byte `json:"k"`
}

// parseRing decodes and checks a key ring file. Every rule the code relies
// on is checked here, so a hand-edited or damaged file fails at start-up
// rather than at the first read of a record.
func parseRing(b []byte) (*ring, error) {
	var f ringFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("decode key ring: %w", err)
	}
	if f.Format != ringFormat {
		return nil, fmt.Errorf("key ring format %q, want %q", f.Format, ringFormat)
	}
	if len(f.BlindIndexKey) != keySize {
		return nil, fmt.Errorf("key ring: blind index key is %d bytes, want %d", len(f.BlindIndexKey), keySize)
	}
	if f.NextSeq < 1 {
		return nil, fmt.Errorf("key ring: next_seq %d must be at least 1", f.NextSeq)
	}
	r := &ring{current: f.Current, nextSeq: f.NextSeq, keks: map[string]*kek{}}
	copy(r.blindKey[:], f.BlindIndexKey)
	for _, kf := range f.KEKs {
		if err := checkKEKID(kf.ID); err != nil {
			return nil, err
		}
		if _, dup := r.keks[kf.ID]; dup {
			return nil, fmt.Errorf("key ring: KEK %q appears twice", kf.ID)
		}
		t, err := parseTree(kf.Nodes)
		if err != nil {
			return nil, fmt.Errorf("key ring: KEK %q: %w", kf.ID, err)
		}
		r.keks[kf.ID] = &kek{id: kf.ID, created: kf.Created, tree: t}
	}
	if _, ok := r.keks[r.current]; !ok {
		return nil, fmt.Errorf("key ring: current KEK %q is not in the ring", r.current)
	}
	return r, nil
}

// checkKEKID accepts short printable ASCII ids.
func checkKEKID(id string) error {
	if id == "" || len(id) > maxKEKIDLen {
		return fmt.Errorf("key ring: KEK id %q must have 1 to %d characters", id, maxKEKIDLen)
	}
	for _, c := range []byte(id) {
		if c <= ' ' || c > '~' {
			return fmt.Errorf("key ring: KEK id %q must be printable ASCII without spaces", id)
		}
	}
	return nil
}

// parseTree rebuilds a tree and checks that its nodes are well formed and
// cover disjoint subtrees (an overlap would mean a punctured slot is still
// derivable from an ancestor).
func parseTree(nodes []nodeFile) (*tree, error) {
	if len(nodes) == 0 {
		return nil, fmt.Errorf("no tree nodes")
	}
	t := &tree{nodes: make(map[nodeID][keySize]byte, len(nodes))}
	for _, n := range nodes {
		if int(n.Depth) > slotBits {
			return nil, fmt.Errorf("node depth %d exceeds %d", n.Depth, slotBits)
		}
		if n.Depth < slotBits && uint64(n.Prefix) >= uint64(1)<<n.Depth {
			return nil, fmt.Errorf("node prefix %d does not fit depth %d", n.Prefix, n.Depth)
		}
		if len(n.Key) != keySize {
			return nil, fmt.Errorf("node key is %d bytes, want %d", len(n.Key), keySize)
		}
		id := nodeID{n.Depth, n.Prefix}
		if _, dup := t.nodes[id]; dup {
			return nil, fmt.Errorf("node %d/%d appears twice", n.Depth, n.Prefix)
		}
		var k [keySize]byte
		copy(k[:], n.Key)
		t.nodes[id] = k
	}
	for id := range t.nodes {
		for d := 0; d < int(id.depth); d++ {
			anc := nodeID{uint8(d), id.prefix >> (int(id.depth) - d)}
			if _, ok := t.nodes[anc]; ok {
				return nil, fmt.Errorf("node %d/%d lies under node %d/%d", id.depth, id.prefix, anc.depth, anc.prefix)
			}
		}
	}
	return t, nil
}

// marshal encodes the ring, KEKs and nodes in a stable order so that the
// same ring always writes the same bytes.
func (r *ring) marshal() ([]byte, error) {
	f := ringFile{Format: ringFormat, Current: r.current, NextSeq: r.nextSeq, BlindIndexKey: r.blindKey[:]}
	for _, k := range r.sortedKEKs() {
		kf := kekFile{ID: k.id, Created: k.created.UTC()}
		for id, key := range k.tree.nodes {
			kf.Nodes = append(kf.Nodes, nodeFile{Depth: id.depth, Prefix: id.prefix, Key: append([]byte(nil), key[:]...)})
		}
		sort.Slice(kf.Nodes, func(i, j int) bool {
			a, b := kf.Nodes[i], kf.Nodes[j]
			return a.Depth < b.Depth || a.Depth == b.Depth && a.Prefix < b.Prefix
		})
		f.KEKs = append(f.KEKs, kf)
	}
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, fmt.Errorf("encode key ring: %w", err)
	}
	return append(b, '\n'), nil
}

// sortedKEKs lists the KEKs oldest first.
func (r *ring) sortedKEKs() []*kek {
	out := make([]*kek, 0, len(r.keks))
	for _, k := range r.keks {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].created.Equal(out[j].created) {
			return out[i].created.Before(out[j].created)
		}
		return out[i].id < out[j].id
	})
	return out
}

// addKEK adds a fresh KEK (a new GGM root from crypto/rand) and returns it.
func (r *ring) addKEK(now time.Time) (*kek, error) {
	root, err := randomKey()
	if err != nil {
		return nil, err
	}
	// The sequence number tells an operator which KEK is newer; the random
	// suffix makes ids differ between key rings, so that a wrong key file
	// shows up as "KEK not in the ring" rather than as integrity errors.
	var suffix [3]byte
	if _, err := rand.Read(suffix[:]); err != nil {
		return nil, fmt.Errorf("random KEK id: %w", err)
	}
	id := fmt.Sprintf("k%d-%x", r.nextSeq, suffix)
	if _, exists := r.keks[id]; exists {
		return nil, fmt.Errorf("key ring: next KEK id %q already exists", id)
	}
	r.nextSeq++
	k := &kek{id: id, created: now.UTC(), tree: newTree(root)}
	r.keks[id] = k
	return k, nil
}

// newRing returns a ring with one KEK, current, and a fresh blind-index key.
func newRing(now time.Time) (*ring, error) {
	blind, err := randomKey()
	if err != nil {
		return nil, err
	}
	r := &ring{nextSeq: 1, keks: map[string]*kek{}, blindKey: blind}
	k, err := r.addKEK(now)
	if err != nil {
		return nil, err
	}
	r.current = k.id
	return r, nil
}

// writeFileAtomic replaces path with b so that a crash leaves either the
// old or the new file, never a mix: a private temporary file in the same
// directory, fsynced, renamed over path, then the directory fsynced.
func writeFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write key ring: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write key ring: %w", err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write key ring: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync key ring: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close key ring: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace key ring: %w", err)
	}
	return syncDir(dir)
}
