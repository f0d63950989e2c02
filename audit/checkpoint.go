package audit

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Checkpoint says "the log named Origin had Size entries and Merkle root
// Hash". Signed, it is the external anchor verify checks the database
// against. Its text is the C2SP tlog-checkpoint body:
//
//	<origin>\n<size in decimal>\n<root hash in base64>\n
type Checkpoint struct {
	Origin string
	Size   int64
	Hash   tlog.Hash
}

// Text returns the checkpoint body that is signed.
func (c Checkpoint) Text() []byte {
	return fmt.Appendf(nil, "%s\n%d\n%s\n", c.Origin, c.Size, c.Hash)
}

// ParseCheckpoint parses a checkpoint body. It accepts only the canonical
// form Text writes, so one checkpoint has one text and one signature.
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	lines := strings.Split(string(text), "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, errors.New("checkpoint: want three lines: origin, size, root hash")
	}
	origin, sizeText, hashText := lines[0], lines[1], lines[2]
	if origin == "" || strings.ContainsFunc(origin, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return Checkpoint{}, errors.New("checkpoint: bad origin")
	}
	size, err := strconv.ParseInt(sizeText, 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != sizeText {
		return Checkpoint{}, errors.New("checkpoint: bad tree size")
	}
	hash, err := tlog.ParseHash(hashText)
	if err != nil || hash.String() != hashText {
		return Checkpoint{}, errors.New("checkpoint: bad root hash")
	}
	c := Checkpoint{Origin: origin, Size: size, Hash: hash}
	if !bytes.Equal(c.Text(), text) {
		return Checkpoint{}, errors.New("checkpoint: not in canonical form")
	}
	return c, nil
}

// SignCheckpoint returns c as a note signed by k. The origin is the key's
// name, so a checkpoint names the log whose key signed it.
func SignCheckpoint(c Checkpoint, k *Key) ([]byte, error) {
	if c.Origin != k.Name() {
		return nil, fmt.Errorf("sign checkpoint: origin %q is not the key's name %q", c.Origin, k.Name())
	}
	msg, err := note.Sign(&note.Note{Text: string(c.Text())}, k.Signer())
	if err != nil {
		return nil, fmt.Errorf("sign checkpoint of size %d: %w", c.Size, err)
	}
	return msg, nil
}

// OpenCheckpoint checks the signature on a signed checkpoint against v and
// parses it. A checkpoint not signed by v, or whose origin is not v's name,
// is an error.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint: origin %q is not the log %q", c.Origin, v.Name())
	}
	return c, nil
}
