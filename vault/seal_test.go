package vault

import (
	"bytes"
	"errors"
	"testing"
)

func testKey(t *testing.T, owner Owner) *DataKey {
	t.Helper()
	raw, err := randomKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := newDataKey(owner, raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := testKey(t, Owner{"person", "p1"})
	loc := Location{"persons", "name", "p1"}
	for _, plain := range []string{"", "Amina Diallo", "أمينة", string(bytes.Repeat([]byte{0}, 1000))} {
		sealed, err := k.SealString(loc, plain)
		if err != nil {
			t.Fatal(err)
		}
		if plain != "" && bytes.Contains(sealed, []byte(plain)) {
			t.Fatalf("sealed value contains the plaintext")
		}
		got, err := k.OpenString(loc, sealed)
		if err != nil || got != plain {
			t.Fatalf("open = %q, %v; want %q", got, err, plain)
		}
	}
	a, _ := k.SealString(loc, "same")
	b, _ := k.SealString(loc, "same")
	if bytes.Equal(a, b) {
		t.Fatal("sealing twice gave the same ciphertext: nonces are not random")
	}
}

// TestOpenDetectsEveryFlippedByte flips each byte of a sealed value in turn
// (header, key id, nonce, ciphertext, tag): every one must fail with an
// integrity error and no plaintext.
func TestOpenDetectsEveryFlippedByte(t *testing.T) {
	k := testKey(t, Owner{"person", "p1"})
	loc := Location{"persons", "testimony", "p1"}
	sealed, err := k.SealString(loc, "they took our passports")
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x01
		got, err := k.Open(loc, bad)
		if !IsIntegrity(err) || got != nil {
			t.Fatalf("flip byte %d: open = %q, %v; want an integrity error", i, got, err)
		}
	}
	for n := range len(sealed) {
		if _, err := k.Open(loc, sealed[:n]); !IsIntegrity(err) {
			t.Fatalf("truncated to %d bytes: %v; want an integrity error", n, err)
		}
	}
	if _, err := k.Open(loc, append(bytes.Clone(sealed), 0)); !IsIntegrity(err) {
		t.Fatalf("extended: %v; want an integrity error", err)
	}
}

// TestOpenRefusesMovedValues: the associated data binds table, column and
// row, and the key binds the record.
func TestOpenRefusesMovedValues(t *testing.T) {
	k := testKey(t, Owner{"person", "p1"})
	other := testKey(t, Owner{"person", "p2"})
	loc := Location{"persons", "name", "p1"}
	sealed, err := k.SealString(loc, "Amina Diallo")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		key  *DataKey
		loc  Location
	}{
		{"another row", k, Location{"persons", "name", "p2"}},
		{"another column", k, Location{"persons", "notes", "p1"}},
		{"another table", k, Location{"reports", "name", "p1"}},
		{"shifted boundary", k, Location{"persons", "nam", "ep1"}},
		{"another record's key", other, loc},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.key.Open(tt.loc, sealed)
			var ie *IntegrityError
			if !errors.As(err, &ie) || got != nil {
				t.Fatalf("open = %q, %v; want an integrity error", got, err)
			}
		})
	}
	if got, err := k.OpenString(loc, sealed); err != nil || got != "Amina Diallo" {
		t.Fatalf("control: open at the right place = %q, %v", got, err)
	}
}
