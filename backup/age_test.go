package backup

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
)

func newIdentity(t *testing.T) (string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "id")
	r, err := GenerateIdentity(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, r
}

func TestGenerateIdentity(t *testing.T) {
	path, recipient := newIdentity(t)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("identity file mode %v, %v; want 0600", info.Mode(), err)
	}
	ids, err := LoadIdentities(path)
	if err != nil || len(ids) != 1 || ids[0].(*age.X25519Identity).Recipient().String() != recipient {
		t.Fatalf("LoadIdentities = %v, %v; want the identity of %s", ids, err, recipient)
	}
	if _, err := GenerateIdentity(path); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("GenerateIdentity over an existing file = %v; want it refused", err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIdentities(path); err == nil || !strings.Contains(err.Error(), "readable by group or others") {
		t.Fatalf("LoadIdentities of a 0640 file = %v; want it refused", err)
	}
}

// TestEncryptRoundTrip is checklist R-CR4 at the smallest scale: the
// ciphertext is an age file holding nothing of the plaintext, the identity
// gets it back byte for byte, another identity gets a clear error, and a
// flipped byte or a cut-off end fails.
func TestEncryptRoundTrip(t *testing.T) {
	path, recipient := newIdentity(t)
	ids, _ := LoadIdentities(path)
	r, err := ParseRecipient(" " + recipient + "\n")
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("SQLite format 3\x00 name=Amina;"), 10000) // several age chunks
	var ct bytes.Buffer
	w, err := Encrypt(&ct, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !IsEncrypted(ct.Bytes()) || bytes.Contains(ct.Bytes(), []byte("Amina")) || bytes.Contains(ct.Bytes(), []byte("SQLite")) {
		t.Fatal("ciphertext is not an age file, or shows the plaintext")
	}
	decrypt := func(b []byte, ids ...age.Identity) ([]byte, error) {
		dr, err := Decrypt(bytes.NewReader(b), ids...)
		if err != nil {
			return nil, err
		}
		return io.ReadAll(dr)
	}
	got, err := decrypt(ct.Bytes(), ids...)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v, equal %v", err, bytes.Equal(got, plain))
	}
	otherPath, _ := newIdentity(t)
	other, _ := LoadIdentities(otherPath)
	if _, err := decrypt(ct.Bytes(), other...); flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), "not encrypted for the given identity") {
		t.Fatalf("wrong identity: %v", err)
	}
	flipped := bytes.Clone(ct.Bytes())
	flipped[len(flipped)-100] ^= 1
	if _, err := decrypt(flipped, ids...); err == nil {
		t.Fatal("a flipped byte decrypted")
	}
	if _, err := decrypt(ct.Bytes()[:ct.Len()-1000], ids...); err == nil {
		t.Fatal("a truncated file decrypted")
	}
	if _, err := decrypt(plain, ids...); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("plaintext input: %v", err)
	}
	if _, err := Encrypt(io.Discard); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("no recipient: %v", err)
	}
	if _, err := ParseRecipient("age1nope"); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("bad recipient: %v", err)
	}
}
