package vault

import (
	"errors"
	"fmt"
)

// ErrShredded reports that a record's data key was destroyed: its shred slot
// is punctured in the key ring, so no key in the ring can unwrap it.
var ErrShredded = errors.New("vault: the data key was destroyed (crypto-shredded)")

// ErrUnknownKEK reports a wrapped data key whose key-encryption key is not
// in the key ring: the wrong key file, or a KEK removed too early.
var ErrUnknownKEK = errors.New("vault: key-encryption key not in the key ring")

// IntegrityError reports a ciphertext or wrapped key that failed
// authentication: it was altered, truncated, moved to another row, field or
// owner, or sealed under another key. Nothing of the plaintext is returned.
type IntegrityError struct {
	// What names what failed, e.g. "field cases.title of row 42" or
	// "data key of person 42".
	What string
	// Reason says which check failed, without any secret.
	Reason string
}

// Error implements the error interface.
func (e *IntegrityError) Error() string {
	return fmt.Sprintf("vault: integrity check failed for %s: %s", e.What, e.Reason)
}

// IsIntegrity reports whether err is or wraps an *IntegrityError.
func IsIntegrity(err error) bool {
	var ie *IntegrityError
	return errors.As(err, &ie)
}
