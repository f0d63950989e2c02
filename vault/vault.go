package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// DefaultFileName is the key ring's name inside the data directory when
// FLARE_KEY_FILE does not say otherwise.
const DefaultFileName = "keyring"

// DefaultPath returns "<dataDir>/keyring".
func DefaultPath(dataDir string) string { return filepath.Join(dataDir, DefaultFileName) }

// Vault is an open key ring. It is safe for concurrent use, and several
// processes may share one key ring file: every change is a locked
// read-modify-write of the file, and every use first reloads the file if
// another process replaced it, so a KEK added or a slot punctured elsewhere
// takes effect here at the next call.
type Vault struct {
	path string
	now  func() time.Time

	mu    sync.Mutex
	ring  *ring
	stamp fs.FileInfo // of the file ring was read from
}

// Open loads the key ring at path. A missing file, a file that group or
// others may access, or a malformed ring is an error.
func Open(path string) (*Vault, error) {
	v := &Vault{path: path, now: time.Now}
	if err := v.reload(); err != nil {
		return nil, err
	}
	return v, nil
}

// OpenOrCreate loads the key ring at path, creating it first (mode 0600,
// one fresh KEK and a fresh blind-index key) when no file exists; created
// says which. The directory must exist.
//
// A new ring cannot read anything sealed under another: callers that find
// a fresh ring next to a database with data keys must stop (see
// sqlstore.KeyStore.Check), not carry on with the wrong file.
func OpenOrCreate(path string) (v *Vault, created bool, err error) {
	unlock, err := lockFile(path)
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		r, err := newRing(time.Now())
		if err != nil {
			return nil, false, err
		}
		b, err := r.marshal()
		if err != nil {
			return nil, false, err
		}
		if err := writeFileAtomic(path, b); err != nil {
			return nil, false, fmt.Errorf("create key ring %s: %w", path, err)
		}
		created = true
	} else if err != nil {
		return nil, false, fmt.Errorf("key ring %s: %w", path, err)
	}
	v, err = Open(path)
	return v, created, err
}

// Path is the key ring file's path.
func (v *Vault) Path() string { return v.path }

// reload reads the file if it changed since it was last read. v.mu must
// not be held.
func (v *Vault) reload() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reloadLocked()
}

func (v *Vault) reloadLocked() error {
	info, err := os.Lstat(v.path)
	if err != nil {
		return fmt.Errorf("key ring %s: %w", v.path, err)
	}
	if err := checkPrivate(v.path, info); err != nil {
		return err
	}
	if v.stamp != nil && os.SameFile(v.stamp, info) && v.stamp.ModTime().Equal(info.ModTime()) && v.stamp.Size() == info.Size() {
		return nil
	}
	b, err := os.ReadFile(v.path)
	if err != nil {
		return fmt.Errorf("read key ring: %w", err)
	}
	r, err := parseRing(b)
	if err != nil {
		return fmt.Errorf("%s: %w", v.path, err)
	}
	v.ring, v.stamp = r, info
	return nil
}

// current returns the up-to-date ring. The ring is replaced, never changed
// in place, so the caller may use it without the lock.
func (v *Vault) current() (*ring, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return nil, err
	}
	return v.ring, nil
}

// mutate applies change to the newest ring on disk under the file lock and
// writes the result, so that no change made by another process is lost.
// change works on a private copy: if it fails, nothing is written.
func (v *Vault) mutate(change func(r *ring) error) error {
	unlock, err := lockFile(v.path)
	if err != nil {
		return err
	}
	defer unlock()
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.reloadLocked(); err != nil {
		return err
	}
	r := v.ring.clone()
	if err := change(r); err != nil {
		return err
	}
	b, err := r.marshal()
	if err != nil {
		return err
	}
	if err := writeFileAtomic(v.path, b); err != nil {
		return err
	}
	v.stamp = nil // force a re-read, which also checks what was written
	return v.reloadLocked()
}

// clone deep-copies the ring.
func (r *ring) clone() *ring {
	c := &ring{current: r.current, nextSeq: r.nextSeq, keks: make(map[string]*kek, len(r.keks)), blindKey: r.blindKey}
	for id, k := range r.keks {
		nodes := make(map[nodeID][keySize]byte, len(k.tree.nodes))
		for n, key := range k.tree.nodes {
			nodes[n] = key
		}
		c.keks[id] = &kek{id: k.id, created: k.created, tree: &tree{nodes: nodes}}
	}
	return c
}

// KEKInfo describes one key-encryption key, without its secret.
type KEKInfo struct {
	ID      string
	Created time.Time
	Current bool
	// TreeNodes counts the GGM nodes kept for this KEK: 1 when nothing was
	// ever shredded under it, growing by up to 32 per erasure.
	TreeNodes int
}

// KEKs lists the key-encryption keys, oldest first.
func (v *Vault) KEKs() ([]KEKInfo, error) {
	r, err := v.current()
	if err != nil {
		return nil, err
	}
	var out []KEKInfo
	for _, k := range r.sortedKEKs() {
		out = append(out, KEKInfo{ID: k.id, Created: k.created, Current: k.id == r.current, TreeNodes: len(k.tree.nodes)})
	}
	return out, nil
}

// CurrentKEK returns the id of the KEK new data keys are wrapped under.
func (v *Vault) CurrentKEK() (string, error) {
	r, err := v.current()
	if err != nil {
		return "", err
	}
	return r.current, nil
}

// AddKEK adds a fresh key-encryption key to the ring and returns its id. It
// does not become current until SetCurrentKEK.
func (v *Vault) AddKEK() (string, error) {
	var id string
	err := v.mutate(func(r *ring) error {
		k, err := r.addKEK(v.now())
		if err != nil {
			return err
		}
		id = k.id
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("add KEK: %w", err)
	}
	return id, nil
}

// SetCurrentKEK makes id the KEK that new and re-wrapped data keys use.
func (v *Vault) SetCurrentKEK(id string) error {
	return v.mutate(func(r *ring) error {
		if _, ok := r.keks[id]; !ok {
			return fmt.Errorf("set current KEK %q: %w", id, ErrUnknownKEK)
		}
		r.current = id
		return nil
	})
}

// ErrKEKInUse is returned by RemoveKEK for a KEK that is current or still
// wraps a data key.
var ErrKEKInUse = errors.New("vault: the key-encryption key is still in use")

// RemoveKEK deletes the KEK id from the ring. The caller says which KEK ids
// still wrap a data key (the database knows, the ring does not); removing
// one of those, or the current KEK, is refused with ErrKEKInUse, since it
// would make those records unreadable.
func (v *Vault) RemoveKEK(id string, inUse []string) error {
	return v.mutate(func(r *ring) error {
		if _, ok := r.keks[id]; !ok {
			return fmt.Errorf("remove KEK %q: %w", id, ErrUnknownKEK)
		}
		if id == r.current {
			return fmt.Errorf("remove KEK %q: it is the current KEK: %w", id, ErrKEKInUse)
		}
		if slices.Contains(inUse, id) {
			return fmt.Errorf("remove KEK %q: data keys are still wrapped under it; finish \"flare keys rotate\" first: %w", id, ErrKEKInUse)
		}
		delete(r.keks, id)
		return nil
	})
}

// Shred destroys slot's key material in every KEK of the ring and writes
// the ring, so that no wrapped data key of that slot, in the database or in
// any backup of it, can be unwrapped with this ring or any later one.
// Shredding a slot twice is harmless.
func (v *Vault) Shred(slot uint32) error {
	err := v.mutate(func(r *ring) error {
		for _, k := range r.keks {
			k.tree.puncture(slot)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("shred slot %d: %w", slot, err)
	}
	return nil
}

// Shredded reports whether slot is destroyed in every KEK of the ring.
func (v *Vault) Shredded(slot uint32) (bool, error) {
	r, err := v.current()
	if err != nil {
		return false, err
	}
	for _, k := range r.keks {
		if !k.tree.punctured(slot) {
			return false, nil
		}
	}
	return true, nil
}

// randomKey returns 32 bytes from crypto/rand.
func randomKey() ([keySize]byte, error) {
	var k [keySize]byte
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("random key: %w", err)
	}
	return k, nil
}
