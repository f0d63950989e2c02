package vault

import (
	"crypto/rand"
	"fmt"
)

// Location is where a sealed value lives. It is bound into the ciphertext
// as associated data, so the value opens only at the same table, column
// and row.
type Location struct {
	Table  string
	Column string
	RowID  string
}

// String names the location in messages; it holds no field value.
func (l Location) String() string {
	return fmt.Sprintf("field %s.%s of row %s", l.Table, l.Column, l.RowID)
}

// sealedVersion is the first byte of every sealed field.
const sealedVersion = 1

// sealedHeaderSize is version (1) + data key id (8).
const sealedHeaderSize = 1 + keyIDSize

// fieldAD binds a sealed value to its location and to its header.
func fieldAD(loc Location, header []byte) []byte {
	ad := []byte("flare/field/v1\x00")
	ad = appendField(ad, loc.Table)
	ad = appendField(ad, loc.Column)
	ad = appendField(ad, loc.RowID)
	return append(ad, header...)
}

// Seal encrypts plaintext for loc with AES-256-GCM under the data key and a
// random nonce. The result is
//
//	version (1 byte, = 1) | data key id (8) | nonce (12) | ciphertext | tag (16)
//
// A data key seals one record's fields, so the 2^32 messages a random GCM
// nonce allows per key are never approached.
func (k *DataKey) Seal(loc Location, plaintext []byte) ([]byte, error) {
	header := make([]byte, 0, sealedHeaderSize+nonceSize+len(plaintext)+tagSize)
	header = append(header, sealedVersion)
	header = append(header, k.id[:]...)
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal %s: random nonce: %w", loc, err)
	}
	out := append(header, nonce...)
	return k.aead.Seal(out, nonce, plaintext, fieldAD(loc, header[:sealedHeaderSize])), nil
}

// SealString is Seal for text.
func (k *DataKey) SealString(loc Location, s string) ([]byte, error) {
	return k.Seal(loc, []byte(s))
}

// Open decrypts a value sealed for loc. Any alteration, truncation, move to
// another location or another record's key gives an *IntegrityError and no
// plaintext.
func (k *DataKey) Open(loc Location, sealed []byte) ([]byte, error) {
	bad := func(reason string) ([]byte, error) {
		return nil, &IntegrityError{What: loc.String(), Reason: reason}
	}
	if len(sealed) < sealedHeaderSize+nonceSize+tagSize {
		return bad("too short")
	}
	if sealed[0] != sealedVersion {
		return bad(fmt.Sprintf("unknown format version %d", sealed[0]))
	}
	if string(sealed[1:sealedHeaderSize]) != string(k.id[:]) {
		return bad("sealed under another data key")
	}
	header := sealed[:sealedHeaderSize]
	nonce := sealed[sealedHeaderSize : sealedHeaderSize+nonceSize]
	plain, err := k.aead.Open(nil, nonce, sealed[sealedHeaderSize+nonceSize:], fieldAD(loc, header))
	if err != nil {
		return bad("authentication failed (altered, or moved from another row or field)")
	}
	return plain, nil
}

// OpenString is Open for text.
func (k *DataKey) OpenString(loc Location, sealed []byte) (string, error) {
	b, err := k.Open(loc, sealed)
	return string(b), err
}
