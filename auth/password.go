// Package auth holds the building blocks of staff sign-in: password hashing
// with argon2id, the password policy, TOTP second factors with replay
// protection, and random tokens stored only as hashes. It has no I/O.
package auth

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. The defaults are OWASP's first
// recommendation for argon2id (Password Storage Cheat Sheet): 46 MiB of
// memory, one pass, one lane.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultParams returns the cost parameters new hashes use.
func DefaultParams() Params { return Params{MemoryKiB: 46 * 1024, Time: 1, Threads: 1} }

const (
	saltLen = 16
	keyLen  = 32
)

// HashPassword returns an argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=...,t=...,p=...$salt$hash), which records its own
// parameters so they can be raised later without breaking old hashes.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformedHash is returned for a stored hash that is not one this
// package wrote.
var ErrMalformedHash = errors.New("malformed password hash")

// VerifyPassword reports whether password matches hash, in constant time
// with respect to the hash contents.
func VerifyPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformedHash
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 || p.MemoryKiB > 4<<20 || p.Time > 100 {
		return false, ErrMalformedHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false, ErrMalformedHash
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Password policy bounds. The minimum is the (12); the maximum only
// stops a megabyte "password" from costing a megabyte of hashing.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

//go:embed common-passwords.txt
var commonPasswordList string

// PasswordPolicy rejects passwords that are short or common.
type PasswordPolicy struct {
	common map[string]struct{}
}

// NewPasswordPolicy loads the shipped list of common passwords.
func NewPasswordPolicy() *PasswordPolicy {
	p := &PasswordPolicy{common: make(map[string]struct{}, 50000)}
	sc := bufio.NewScanner(strings.NewReader(commonPasswordList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			p.common[strings.ToLower(w)] = struct{}{}
		}
	}
	return p
}

// Reasons a password is refused; message keys for the pages.
var (
	ErrPasswordTooShort = errors.New("auth.password.too_short")
	ErrPasswordTooLong  = errors.New("auth.password.too_long")
	ErrPasswordCommon   = errors.New("auth.password.common")
	ErrPasswordIsEmail  = errors.New("auth.password.is_email")
)

// Check returns nil for an acceptable password, or the reason it is not.
// Length is counted in characters, not bytes, so Arabic or Chinese
// passphrases are measured fairly (NIST SP 800-63B 5.1.1.2).
func (p *PasswordPolicy) Check(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return ErrPasswordTooShort
	case n > MaxPasswordLength:
		return ErrPasswordTooLong
	}
	lower := strings.ToLower(password)
	if email != "" && (lower == strings.ToLower(email) || lower == strings.ToLower(strings.Split(email, "@")[0])) {
		return ErrPasswordIsEmail
	}
	if p.isCommon(lower) {
		return ErrPasswordCommon
	}
	return nil
}

// isCommon catches a listed password as is, with digits or symbols added at
// the end ("password2026!"), or repeated ("qwertyqwerty").
func (p *PasswordPolicy) isCommon(lower string) bool {
	if _, ok := p.common[lower]; ok {
		return true
	}
	base := strings.TrimRightFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if utf8.RuneCountInString(base) >= 4 {
		if _, ok := p.common[base]; ok {
			return true
		}
	}
	for size := 1; size <= len(lower)/2; size++ {
		if len(lower)%size == 0 && strings.Repeat(lower[:size], len(lower)/size) == lower {
			return true
		}
	}
	return false
}
