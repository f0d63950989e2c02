package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// DefaultKeyName names the log in its checkpoints and its key.
const DefaultKeyName = "flare-audit"

// KeyFileName and CheckpointsFileName are the default names, inside the
// data directory, of the signing key and the checkpoint file.
const (
	KeyFileName         = "audit-signing.key"
	CheckpointsFileName = "audit-checkpoints"
)

// Key is the Ed25519 key that signs checkpoints. It must never be stored in
// the database: whoever holds it can sign a checkpoint for a rewritten log.
type Key struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// ParseKey reads a signer key in the note format
// "PRIVATE+KEY+<name>+<hash>+<base64 of 0x01 and the 32-byte seed>".
func ParseKey(skey string) (*Key, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, errors.New("audit key: not a signer key in note format")
	}
	// "PRIVATE", "KEY", name, hash, key data: the name and hash hold no
	// "+", the base64 key data may.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("audit key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("audit key: derive verifier key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("audit key: derive verifier: %w", err)
	}
	if verifier.KeyHash() != signer.KeyHash() {
		return nil, errors.New("audit key: key hash does not match the key")
	}
	return &Key{signer: signer, verifier: verifier, vkey: vkey}, nil
}

// GenerateKey returns a new signer key in note format for the log name.
func GenerateKey(name string) (string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("generate audit key: %w", err)
	}
	return skey, nil
}

// Name is the log's name, the origin line of its checkpoints.
func (k *Key) Name() string { return k.signer.Name() }

// Signer signs notes with the key.
func (k *Key) Signer() note.Signer { return k.signer }

// Verifier checks signatures of the key.
func (k *Key) Verifier() note.Verifier { return k.verifier }

// VerifierKey is the public half, "<name>+<hash>+<base64>": safe to publish
// and to give an oversight body that checks checkpoints.
func (k *Key) VerifierKey() string { return k.vkey }

// LoadKey reads the key file at path. It refuses a file that anyone but its
// owner may read or write, as ssh does for private keys.
func LoadKey(path string) (*Key, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("audit key %s: not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("audit key %s: mode %04o lets others read or change it; run chmod 600 %s", path, perm, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	k, err := ParseKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// LoadOrCreateKey loads the key file at path, or creates it (mode 0600, in
// a directory made 0700) with a new key for name when there is none.
// created says which happened. Two processes creating the key at once end
// up with the same key: the file appears whole or not at all.
func LoadOrCreateKey(path, name string) (k *Key, created bool, err error) {
	k, err = LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	skey, err := GenerateKey(name)
	if err != nil {
		return nil, false, err
	}
	if err := writeNewFile(path, []byte(skey+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err = LoadKey(path)
			return k, false, err
		}
		return nil, false, fmt.Errorf("create audit key: %w", err)
	}
	k, err = LoadKey(path)
	return k, err == nil, err
}

// writeNewFile writes data to a temporary file, syncs it, and links it to
// path, which must not exist: a reader never sees a half-written key.
func writeNewFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".audit-key-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a new directory entry durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
