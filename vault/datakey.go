package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// Owner names the record a data key belongs to, e.g. {"person", id}.
type Owner struct {
	Type string
	ID   string
}

// String names the owner in messages, e.g. "person 42".
func (o Owner) String() string { return o.Type + " " + o.ID }

func (o Owner) check() error {
	if o.Type == "" || o.ID == "" {
		return fmt.Errorf("vault: data key owner needs a type and an id, got %q", o.String())
	}
	return nil
}

// Wrapped is a data key as the database stores it.
type Wrapped struct {
	// Blob is the wrapped key (see ParseWrapped for its format).
	Blob []byte
	// KEKID is the key-encryption key it is wrapped under, copied from the
	// blob so the database can find keys still on an old KEK.
	KEKID string
	// Slot is the shred slot, copied from the blob so the database can keep
	// slots unique: two records sharing a slot would be erased together.
	Slot uint32
}

// wrappedVersion is the first byte of every wrapped key.
const wrappedVersion = 1

// ParseWrapped reads the header of a wrapped data key:
//
//	version (1 byte, = 1) | len(KEK id) (1) | KEK id | slot (4, big-endian) |
//	nonce (12) | AES-256-GCM ciphertext of the 32-byte key (48)
//
// It checks the shape only; authenticity is checked by Unwrap.
func ParseWrapped(blob []byte) (Wrapped, error) {
	bad := func(reason string) (Wrapped, error) {
		return Wrapped{}, &IntegrityError{What: "wrapped data key", Reason: reason}
	}
	if len(blob) < 2 {
		return bad("too short")
	}
	if blob[0] != wrappedVersion {
		return bad(fmt.Sprintf("unknown format version %d", blob[0]))
	}
	n := int(blob[1])
	if n == 0 || n > maxKEKIDLen {
		return bad("bad KEK id length")
	}
	if len(blob) != 2+n+4+nonceSize+keySize+tagSize {
		return bad("wrong length")
	}
	id := string(blob[2 : 2+n])
	if checkKEKID(id) != nil {
		return bad("bad KEK id")
	}
	return Wrapped{Blob: blob, KEKID: id, Slot: binary.BigEndian.Uint32(blob[2+n:])}, nil
}

const (
	nonceSize = 12
	tagSize   = 16
)

// DataKey is one record's unwrapped 256-bit data key. It seals and opens
// that record's fields. It never leaves the process unwrapped.
type DataKey struct {
	owner Owner
	id    [keyIDSize]byte
	aead  cipher.AEAD
}

// keyIDSize is the size of a data key's id in sealed fields.
const keyIDSize = 8

// newDataKey builds a DataKey from its raw bytes.
func newDataKey(owner Owner, raw [keySize]byte) (*DataKey, error) {
	aead, err := newGCM(raw[:])
	if err != nil {
		return nil, err
	}
	// The id is a fingerprint: it tells "sealed under another key" apart
	// from "altered" and reveals nothing about the key (HMAC is a PRF).
	m := hmac.New(sha256.New, raw[:])
	m.Write([]byte("flare/key-id/v1"))
	k := &DataKey{owner: owner, aead: aead}
	copy(k.id[:], m.Sum(nil))
	return k, nil
}

// ID returns the key's public fingerprint in hex, as carried by every field
// sealed with it.
func (k *DataKey) ID() string { return hex.EncodeToString(k.id[:]) }

// Owner returns the record the key belongs to.
func (k *DataKey) Owner() Owner { return k.owner }

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("vault: aes: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("vault: gcm: %w", err)
	}
	return aead, nil
}

// dekAD is the associated data of a wrapped key: a domain label, the owner
// (so a wrapped key copied to another record's row fails) and the header
// (so its KEK id and slot cannot be changed).
func dekAD(owner Owner, header []byte) []byte {
	ad := []byte("flare/dek/v1\x00")
	ad = appendField(ad, owner.Type)
	ad = appendField(ad, owner.ID)
	return append(ad, header...)
}

// appendField appends s behind its length, so that no two different
// (table, column, row) triples give the same associated data.
func appendField(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// NewDataKey makes a fresh data key for owner at a random shred slot and
// wraps it under the current KEK. The store saves w and, if w.Slot is taken
// by another record, calls NewDataKey again.
func (v *Vault) NewDataKey(owner Owner) (*DataKey, Wrapped, error) {
	if err := owner.check(); err != nil {
		return nil, Wrapped{}, err
	}
	r, err := v.current()
	if err != nil {
		return nil, Wrapped{}, err
	}
	raw, err := randomKey()
	if err != nil {
		return nil, Wrapped{}, err
	}
	var slotBytes [4]byte
	if _, err := rand.Read(slotBytes[:]); err != nil {
		return nil, Wrapped{}, fmt.Errorf("random slot: %w", err)
	}
	w, err := r.wrap(owner, raw, r.current, binary.BigEndian.Uint32(slotBytes[:]))
	if err != nil {
		return nil, Wrapped{}, fmt.Errorf("wrap data key of %s: %w", owner, err)
	}
	k, err := newDataKey(owner, raw)
	if err != nil {
		return nil, Wrapped{}, err
	}
	return k, w, nil
}

// wrap encrypts raw under KEK kekID's leaf for slot.
func (r *ring) wrap(owner Owner, raw [keySize]byte, kekID string, slot uint32) (Wrapped, error) {
	kk, ok := r.keks[kekID]
	if !ok {
		return Wrapped{}, fmt.Errorf("KEK %q: %w", kekID, ErrUnknownKEK)
	}
	leaf, ok := kk.tree.leaf(slot)
	if !ok {
		return Wrapped{}, fmt.Errorf("slot %d: %w", slot, ErrShredded)
	}
	aead, err := newGCM(leaf[:])
	if err != nil {
		return Wrapped{}, err
	}
	header := []byte{wrappedVersion, byte(len(kekID))}
	header = append(header, kekID...)
	header = binary.BigEndian.AppendUint32(header, slot)
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return Wrapped{}, fmt.Errorf("random nonce: %w", err)
	}
	blob := append(append([]byte(nil), header...), nonce...)
	blob = aead.Seal(blob, nonce, raw[:], dekAD(owner, header))
	return Wrapped{Blob: blob, KEKID: kekID, Slot: slot}, nil
}

// Unwrap recovers owner's data key from its wrapped form. It fails with
// ErrShredded if the key was destroyed, ErrUnknownKEK if its KEK is not in
// the ring, and an *IntegrityError if the blob was altered or belongs to
// another owner.
func (v *Vault) Unwrap(owner Owner, blob []byte) (*DataKey, error) {
	if err := owner.check(); err != nil {
		return nil, err
	}
	r, err := v.current()
	if err != nil {
		return nil, err
	}
	raw, _, err := r.unwrap(owner, blob)
	if err != nil {
		return nil, err
	}
	return newDataKey(owner, raw)
}

func (r *ring) unwrap(owner Owner, blob []byte) ([keySize]byte, Wrapped, error) {
	var raw [keySize]byte
	w, err := ParseWrapped(blob)
	if err != nil {
		var ie *IntegrityError
		if errors.As(err, &ie) {
			ie.What = "data key of " + owner.String()
		}
		return raw, w, err
	}
	kk, ok := r.keks[w.KEKID]
	if !ok {
		return raw, w, fmt.Errorf("data key of %s: KEK %q: %w", owner, w.KEKID, ErrUnknownKEK)
	}
	leaf, ok := kk.tree.leaf(w.Slot)
	if !ok {
		return raw, w, fmt.Errorf("data key of %s: %w", owner, ErrShredded)
	}
	aead, err := newGCM(leaf[:])
	if err != nil {
		return raw, w, err
	}
	hlen := 2 + len(w.KEKID) + 4
	header, nonce, body := blob[:hlen], blob[hlen:hlen+nonceSize], blob[hlen+nonceSize:]
	plain, err := aead.Open(nil, nonce, body, dekAD(owner, header))
	if err != nil || len(plain) != keySize {
		return raw, w, &IntegrityError{What: "data key of " + owner.String(), Reason: "authentication failed (altered, or belongs to another record)"}
	}
	copy(raw[:], plain)
	return raw, w, nil
}

// Rewrap re-wraps owner's data key under the current KEK, keeping its shred
// slot; the data key itself, and so every sealed field, stays the same. A
// key already under the current KEK comes back unchanged.
func (v *Vault) Rewrap(owner Owner, blob []byte) (Wrapped, error) {
	if err := owner.check(); err != nil {
		return Wrapped{}, err
	}
	r, err := v.current()
	if err != nil {
		return Wrapped{}, err
	}
	raw, w, err := r.unwrap(owner, blob)
	if err != nil {
		return Wrapped{}, err
	}
	if w.KEKID == r.current {
		return w, nil
	}
	return r.wrap(owner, raw, r.current, w.Slot)
}
