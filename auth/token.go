package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// NewToken returns a 256-bit random token, URL-safe, for session ids and
// enrolment links. Only its hash is stored (HashToken), so a copy of the
// database does not let anyone sign in (security checklist R-AZ4).
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the hex SHA-256 of a token. A plain hash suffices: the
// token has 256 bits of entropy, so there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// recoveryEncoding is Crockford's base32, which leaves out the letters that
// read like digits (I, L, O) and U, since recovery codes are copied by hand
// from paper.
var recoveryEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// NewRecoveryCodes returns n one-time recovery codes of 80 bits each,
// formatted in four groups of four for reading.
func NewRecoveryCodes(n int) ([]string, error) {
	codes := make([]string, n)
	for i := range codes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("recovery code: %w", err)
		}
		s := recoveryEncoding.EncodeToString(b)
		codes[i] = s[:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:]
	}
	return codes, nil
}

// NormaliseRecoveryCode folds what a user types into the stored form's
// input: case, spaces and dashes do not matter.
func NormaliseRecoveryCode(code string) string {
	code = strings.ToUpper(code)
	// Crockford: O reads as 0, I and L as 1.
	code = strings.NewReplacer("O", "0", "I", "1", "L", "1").Replace(code)
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code)
}

// HashRecoveryCode hashes a recovery code for storage.
func HashRecoveryCode(code string) string { return HashToken(NormaliseRecoveryCode(code)) }
