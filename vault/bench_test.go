package vault

import (
	"path/filepath"
	"testing"
)

// BenchmarkUnwrap is the cost of reading a record's data key: one leaf
// derivation (32 HMACs) and one AES-GCM open.
func BenchmarkUnwrap(b *testing.B) {
	v, _, err := OpenOrCreate(filepath.Join(b.TempDir(), "keyring"))
	if err != nil {
		b.Fatal(err)
	}
	owner := Owner{"person", "p"}
	_, w, err := v.NewDataKey(owner)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.Unwrap(owner, w.Blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSealOpen seals and opens a 200-byte field.
func BenchmarkSealOpen(b *testing.B) {
	raw, _ := randomKey()
	k, err := newDataKey(Owner{"person", "p"}, raw)
	if err != nil {
		b.Fatal(err)
	}
	loc := Location{"persons", "testimony", "p"}
	plain := make([]byte, 200)
	for b.Loop() {
		s, err := k.Seal(loc, plain)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open(loc, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBlindIndex indexes a three-word name.
func BenchmarkBlindIndex(b *testing.B) {
	v, _, err := OpenOrCreate(filepath.Join(b.TempDir(), "keyring"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.BlindIndex("person.name", "Amina Diallo-Touré"); err != nil {
			b.Fatal(err)
		}
	}
}
