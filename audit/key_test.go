package audit_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/flare-ilo/flare/audit"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", audit.KeyFileName)
	k, created, err := audit.LoadOrCreateKey(path, audit.DefaultKeyName)
	if err != nil || !created {
		t.Fatalf("create = %v, %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode = %o, want 600", perm)
	}
	if dir, _ := os.Stat(filepath.Dir(path)); dir.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode = %o, want 700", dir.Mode().Perm())
	}
	again, created, err := audit.LoadOrCreateKey(path, audit.DefaultKeyName)
	if err != nil || created {
		t.Fatalf("load = %v, %v", created, err)
	}
	if again.VerifierKey() != k.VerifierKey() {
		t.Error("second load gave another key")
	}
	// The derived verifier checks what the signer signs.
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, k.Signer())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(again.Verifier())); err != nil {
		t.Errorf("signature does not verify with the derived key: %v", err)
	}
	if k.Name() != audit.DefaultKeyName || !strings.HasPrefix(k.VerifierKey(), audit.DefaultKeyName+"+") {
		t.Errorf("name = %q, vkey = %q", k.Name(), k.VerifierKey())
	}
}

func TestLoadKeyRefusesLooseMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k")
	if _, _, err := audit.LoadOrCreateKey(path, "flare-audit"); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.LoadKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %o: LoadKey = %v, want a refusal", mode, err)
		}
	}
}

func TestLoadKeyRefusesGarbage(t *testing.T) {
	dir := t.TempDir()
	_, vkey, err := note.GenerateKey(rand.Reader, "x")
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"empty":      "",
		"public key": "flare-audit+12345678+AQIDBA==",
		"not a key":  "hello",
		"vkey":       vkey,
	} {
		p := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.LoadKey(p); err == nil {
			t.Errorf("%s: LoadKey accepted it", name)
		}
	}
	if _, err := audit.LoadKey(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadKey accepted a missing file")
	}
}
