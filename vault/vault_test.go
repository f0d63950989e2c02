package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func newVault(t *testing.T) *Vault {
	t.Helper()
	v, created, err := OpenOrCreate(filepath.Join(t.TempDir(), DefaultFileName))
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("OpenOrCreate on an empty directory did not create a ring")
	}
	return v
}

func TestCreateWritesPrivateFileOnce(t *testing.T) {
	v := newVault(t)
	info, err := os.Stat(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Fatalf("key ring mode %04o, want 0600", perm)
	}
	before, _ := os.ReadFile(v.Path())
	v2, created, err := OpenOrCreate(v.Path())
	if err != nil || created {
		t.Fatalf("second OpenOrCreate: created=%v err=%v; want the existing ring", created, err)
	}
	after, _ := os.ReadFile(v.Path())
	if !bytes.Equal(before, after) {
		t.Fatal("opening an existing ring rewrote it")
	}
	cur, _ := v2.CurrentKEK()
	if !strings.HasPrefix(cur, "k1-") {
		t.Fatalf("current KEK of a new ring = %q, want k1-...", cur)
	}
}

func TestOpenRefusesSharedOrBadFiles(t *testing.T) {
	v := newVault(t)
	good, _ := os.ReadFile(v.Path())
	dir := t.TempDir()
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		want    string
	}{
		{"group readable", good, 0o640, "group and others"},
		{"world readable", good, 0o604, "group and others"},
		{"group writable", good, 0o620, "group and others"},
		{"not json", []byte("{"), 0o600, "decode key ring"},
		{"wrong format", bytes.Replace(good, []byte(ringFormat), []byte("other-v9"), 1), 0o600, "format"},
		{"current missing", regexp.MustCompile(`"current": "[^"]*"`).ReplaceAll(good, []byte(`"current": "k9"`)), 0o600, "not in the ring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			if err := os.WriteFile(p, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Open(p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Open = %v; want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Open(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Open of a missing file succeeded")
	}
	// A ring that becomes shared while in use is refused at the next use.
	if err := os.Chmod(v.Path(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := v.NewDataKey(Owner{"person", "p"}); err == nil {
		t.Fatal("a ring made world-readable was still used")
	}
}

func TestWrapUnwrap(t *testing.T) {
	v := newVault(t)
	p := Owner{"person", "p1"}
	k, w, err := v.NewDataKey(p)
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := v.CurrentKEK(); w.KEKID != cur {
		t.Fatalf("wrapped under %q, want the current KEK %q", w.KEKID, cur)
	}
	parsed, err := ParseWrapped(w.Blob)
	if err != nil || parsed.KEKID != w.KEKID || parsed.Slot != w.Slot {
		t.Fatalf("ParseWrapped = %+v, %v; want %+v", parsed, err, w)
	}
	loc := Location{"persons", "name", "p1"}
	sealed, _ := k.SealString(loc, "Amina")
	k2, err := v.Unwrap(p, w.Blob)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k2.OpenString(loc, sealed); err != nil || got != "Amina" {
		t.Fatalf("open with unwrapped key = %q, %v", got, err)
	}
	// The wrapped key is bound to its owner and to every byte.
	if _, err := v.Unwrap(Owner{"person", "p2"}, w.Blob); !IsIntegrity(err) {
		t.Fatalf("unwrap as another owner: %v; want an integrity error", err)
	}
	for i := range w.Blob {
		bad := bytes.Clone(w.Blob)
		bad[i] ^= 0x80
		if _, err := v.Unwrap(p, bad); err == nil {
			t.Fatalf("flipped byte %d of the wrapped key: unwrap succeeded", i)
		}
	}
	other := newVault(t)
	if _, err := other.Unwrap(p, w.Blob); err == nil {
		t.Fatal("another key ring unwrapped the key")
	}
}

// TestRotationPrimitives: add a KEK, make it current, re-wrap, and refuse
// to remove a KEK in use.
func TestRotationPrimitives(t *testing.T) {
	v := newVault(t)
	p := Owner{"report", "r1"}
	k, w1, _ := v.NewDataKey(p)
	k1, _ := v.CurrentKEK()
	id, err := v.AddKEK()
	if err != nil || !strings.HasPrefix(id, "k2-") {
		t.Fatalf("AddKEK = %q, %v; want k2-...", id, err)
	}
	if cur, _ := v.CurrentKEK(); cur != k1 {
		t.Fatalf("AddKEK changed the current KEK to %q", cur)
	}
	if err := v.SetCurrentKEK("k9"); !errors.Is(err, ErrUnknownKEK) {
		t.Fatalf("SetCurrentKEK(k9) = %v; want ErrUnknownKEK", err)
	}
	if err := v.SetCurrentKEK(id); err != nil {
		t.Fatal(err)
	}
	w2, err := v.Rewrap(p, w1.Blob)
	if err != nil {
		t.Fatal(err)
	}
	if w2.KEKID != id || w2.Slot != w1.Slot {
		t.Fatalf("rewrapped = %+v; want KEK %s and slot %d", w2, id, w1.Slot)
	}
	again, _ := v.Rewrap(p, w2.Blob)
	if !bytes.Equal(again.Blob, w2.Blob) {
		t.Fatal("rewrapping a key already on the current KEK changed it")
	}
	k2, err := v.Unwrap(p, w2.Blob)
	if err != nil || k2.ID() != k.ID() {
		t.Fatalf("rewrapped key differs: %v", err)
	}
	if err := v.RemoveKEK(id, nil); !errors.Is(err, ErrKEKInUse) {
		t.Fatalf("removing the current KEK: %v; want ErrKEKInUse", err)
	}
	if err := v.RemoveKEK(k1, []string{k1, id}); !errors.Is(err, ErrKEKInUse) {
		t.Fatalf("removing a KEK in use: %v; want ErrKEKInUse", err)
	}
	if _, err := v.Unwrap(p, w1.Blob); err != nil {
		t.Fatalf("a refused removal still removed the KEK: %v", err)
	}
	if err := v.RemoveKEK(k1, []string{id}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unwrap(p, w1.Blob); !errors.Is(err, ErrUnknownKEK) {
		t.Fatalf("unwrap under a removed KEK: %v; want ErrUnknownKEK", err)
	}
	reopened, err := Open(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	keks, _ := reopened.KEKs()
	if len(keks) != 1 || keks[0].ID != id || !keks[0].Current {
		t.Fatalf("KEKs after reopening = %+v; want only %s, current", keks, id)
	}
	if id3, _ := reopened.AddKEK(); !strings.HasPrefix(id3, "k3-") {
		t.Fatalf("next KEK id after removing k1 = %q, want k3-... (ids are never reused)", id3)
	}
}

// TestShredSurvivesInTheFile: after Shred, a fresh process reading the key
// file cannot unwrap the shredded key from a saved copy (an old backup),
// while other keys from the same copy still unwrap, under old and new KEKs.
func TestShredSurvivesInTheFile(t *testing.T) {
	v := newVault(t)
	victim, other := Owner{"person", "victim"}, Owner{"person", "other"}
	_, wv, _ := v.NewDataKey(victim)
	ko, wo, _ := v.NewDataKey(other)
	id, _ := v.AddKEK()
	_ = v.SetCurrentKEK(id)
	_, wNew, _ := v.NewDataKey(Owner{"report", "new"})
	if err := v.Shred(wv.Slot); err != nil {
		t.Fatal(err)
	}
	if err := v.Shred(wv.Slot); err != nil {
		t.Fatalf("second shred: %v", err)
	}
	fresh, err := Open(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Unwrap(victim, wv.Blob); !errors.Is(err, ErrShredded) {
		t.Fatalf("unwrap a shredded key: %v; want ErrShredded", err)
	}
	if ok, _ := fresh.Shredded(wv.Slot); !ok {
		t.Fatal("Shredded = false after Shred")
	}
	k, err := fresh.Unwrap(other, wo.Blob)
	if err != nil || k.ID() != ko.ID() {
		t.Fatalf("another person's key stopped unwrapping: %v", err)
	}
	if _, err := fresh.Unwrap(Owner{"report", "new"}, wNew.Blob); err != nil {
		t.Fatalf("a key under the new KEK stopped unwrapping: %v", err)
	}
	if _, err := fresh.Rewrap(victim, wv.Blob); !errors.Is(err, ErrShredded) {
		t.Fatalf("rewrap a shredded key: %v; want ErrShredded", err)
	}
}

// TestProcessesShareOneRing: two Vaults on one file (two processes) see
// each other's changes, and concurrent changes are all kept.
func TestProcessesShareOneRing(t *testing.T) {
	a := newVault(t)
	b, err := Open(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	id, _ := a.AddKEK()
	_ = a.SetCurrentKEK(id)
	_, w, err := b.NewDataKey(Owner{"person", "p"})
	if err != nil || w.KEKID != id {
		t.Fatalf("b wrapped under %q (%v); want the KEK a made current, %q", w.KEKID, err, id)
	}
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := a
			if i%2 == 1 {
				v = b
			}
			if err := v.Shred(uint32(i) * 1000003); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	c, err := Open(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if ok, _ := c.Shredded(uint32(i) * 1000003); !ok {
			t.Fatalf("slot of shred %d lost: a concurrent writer overwrote it", i)
		}
	}
}
