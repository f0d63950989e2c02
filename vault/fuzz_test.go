package vault

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzOpen: any bytes given to Open either open (only what was sealed) or
// fail with an integrity error; never a panic, never other plaintext.
func FuzzOpen(f *testing.F) {
	raw := [keySize]byte{1, 2, 3}
	k, err := newDataKey(Owner{"person", "p"}, raw)
	if err != nil {
		f.Fatal(err)
	}
	loc := Location{"persons", "name", "p"}
	sealed, _ := k.SealString(loc, "seed")
	f.Add(sealed)
	f.Add([]byte{})
	f.Add([]byte{sealedVersion})
	f.Add(sealed[:len(sealed)-1])
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := k.Open(loc, b)
		if err != nil {
			if !IsIntegrity(err) || got != nil {
				t.Fatalf("open = %q, %v; want nil and an integrity error", got, err)
			}
			return
		}
		// The key sealed only "seed" (in this process or in the one that
		// made the seed corpus), so nothing else may ever open.
		if string(got) != "seed" {
			t.Fatalf("forged ciphertext %x opened to %q", b, got)
		}
	})
}

// FuzzUnwrap: any blob given to ParseWrapped and Unwrap fails cleanly
// unless it is the genuine wrapped key.
func FuzzUnwrap(f *testing.F) {
	v, _, err := OpenOrCreate(f.TempDir() + "/keyring")
	if err != nil {
		f.Fatal(err)
	}
	owner := Owner{"person", "p"}
	_, w, err := v.NewDataKey(owner)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(w.Blob)
	f.Add([]byte{wrappedVersion, 2, 'k', '1'})
	f.Add([]byte{wrappedVersion, 255})
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, err := ParseWrapped(b); err == nil && (p.KEKID == "" || len(b) < 2+len(p.KEKID)+4) {
			t.Fatalf("ParseWrapped accepted a malformed header: %+v", p)
		}
		_, err := v.Unwrap(owner, b)
		if err == nil && !bytes.Equal(b, w.Blob) {
			t.Fatalf("forged wrapped key %x unwrapped", b)
		}
	})
}

// FuzzParseRing: a damaged key ring file fails to parse or parses into a
// ring whose invariants hold (disjoint nodes, current KEK present), and a
// parsed ring writes back to a file that parses to the same ring.
func FuzzParseRing(f *testing.F) {
	r, err := newRing(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		f.Fatal(err)
	}
	r.keks[r.current].tree.puncture(42)
	good, _ := r.marshal()
	f.Add(good)
	f.Add([]byte(`{"format":"flare-keyring-v1"}`))
	f.Add(bytes.Replace(good, []byte(`"d": 32`), []byte(`"d": 0`), 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := parseRing(b)
		if err != nil {
			return
		}
		if _, ok := r.keks[r.current]; !ok {
			t.Fatal("parsed ring lacks its current KEK")
		}
		out, err := r.marshal()
		if err != nil {
			t.Fatal(err)
		}
		r2, err := parseRing(out)
		if err != nil {
			t.Fatalf("re-parse of a written ring: %v", err)
		}
		out2, _ := r2.marshal()
		if !bytes.Equal(out, out2) {
			t.Fatal("ring changed on a write/read round trip")
		}
	})
}

// FuzzNormaliseTokens: tokens are stable (normalising a token gives the
// token), bounded, sorted, unique and hold no separator.
func FuzzNormaliseTokens(f *testing.F) {
	for _, s := range []string{"José Müller-Lüdenscheidt", "مُحَمَّد", "Straße", "İstanbul", "ǅemal", "\u0345", "ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := NormaliseTokens(s)
		if len(toks) > maxTokens || !slices.IsSorted(toks) || len(slices.Compact(slices.Clone(toks))) != len(toks) {
			t.Fatalf("tokens %q: not bounded, sorted and unique", toks)
		}
		for _, tok := range toks {
			if tok == "" || strings.ContainsAny(tok, " \t\n-.,") {
				t.Fatalf("token %q is empty or holds a separator", tok)
			}
			if again := NormaliseTokens(tok); len(again) != 1 || again[0] != tok {
				t.Fatalf("NormaliseTokens(%q) = %q: not stable, a stored token would not match its own query", tok, again)
			}
		}
	})
}
