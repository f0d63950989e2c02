package backup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
)

// ageMagic begins every age file; a backup artefact is recognised by it.
const ageMagic = "age-encryption.org/v1\n"

// ParseRecipient parses an age X25519 recipient ("age1..."). An operator
// error is an invalid-input error that says what was expected.
func ParseRecipient(s string) (age.Recipient, error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(s))
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "not an age recipient (want \"age1...\", as \"flare backup keygen\" prints): %v", err)
	}
	return r, nil
}

// GenerateIdentity writes a new age X25519 identity to path, which must not
// exist, readable by its owner only, and returns its public recipient. The
// identity decrypts every backup made for that recipient: keep it off the
// server that makes the backups.
func GenerateIdentity(path string) (string, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", fmt.Errorf("generate backup identity: %w", err)
	}
	recipient := id.Recipient().String()
	text := fmt.Sprintf("# Flare backup identity: decrypts backups made for\n# public key: %s\n%s\n", recipient, id.String())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", flare.Errorf(flare.EINVALID, "%s exists; a backup identity is never overwritten (choose a new file name)", path)
	}
	if err != nil {
		return "", fmt.Errorf("create backup identity: %w", err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("write backup identity %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return "", fmt.Errorf("write backup identity %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return "", fmt.Errorf("write backup identity %s: %w", path, err)
	}
	return recipient, nil
}

// LoadIdentities reads the age identities in the file at path (the format
// GenerateIdentity and age-keygen write). A file others can read is
// refused: it opens every backup.
func LoadIdentities(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "backup identity: %v", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "backup identity: %v", err)
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, flare.Errorf(flare.EINVALID, "backup identity %s is readable by group or others (mode %04o): run chmod 600 on it", path, info.Mode().Perm())
	}
	ids, err := age.ParseIdentities(f)
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "backup identity %s: %v", path, err)
	}
	return ids, nil
}

// Encrypt returns a writer that encrypts what is written to w for the
// recipients; Close must be called to write the final chunk.
func Encrypt(w io.Writer, recipients ...age.Recipient) (io.WriteCloser, error) {
	if len(recipients) == 0 {
		return nil, flare.Errorf(flare.EINVALID, "a backup needs a recipient: without one, nobody could restore it")
	}
	ew, err := age.Encrypt(w, recipients...)
	if err != nil {
		return nil, fmt.Errorf("encrypt backup: %w", err)
	}
	return ew, nil
}

// Decrypt returns the plaintext of the age file r. Input that is not an age
// file, or that none of the identities opens, is an invalid-input error
// saying which; damage found later surfaces as a read error.
func Decrypt(r io.Reader, identities ...age.Identity) (io.Reader, error) {
	dr, err := age.Decrypt(r, identities...)
	var noMatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &noMatch):
		return nil, flare.Errorf(flare.EINVALID, "this backup was not encrypted for the given identity (wrong --identity file?)")
	case err != nil:
		return nil, flare.Errorf(flare.EINVALID, "not a readable age-encrypted backup: %v", err)
	}
	return dr, nil
}

// IsEncrypted reports whether b begins like an age file.
func IsEncrypted(b []byte) bool { return strings.HasPrefix(string(b), ageMagic) }
