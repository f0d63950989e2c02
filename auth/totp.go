package auth

import (
	"bytes"
	"fmt"
	"image/png"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: RFC 6238 defaults, which every authenticator app
// supports (30 s steps, 6 digits, SHA-1). One step of clock drift either
// way is accepted.
const (
	totpPeriod = 30
	totpSkew   = 1
)

// TOTPKey is a new second factor for enrolment.
type TOTPKey struct {
	// Secret is the base32 shared secret, stored (encrypted) for the user.
	Secret string
	// URL is the otpauth:// URL the QR code encodes.
	URL string
}

// NewTOTPKey generates a secret for account (the user's email) at issuer
// (the installation's name shown in the authenticator app).
func NewTOTPKey(issuer, account string) (TOTPKey, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: totpPeriod, SecretSize: 20})
	if err != nil {
		return TOTPKey{}, fmt.Errorf("generate TOTP key: %w", err)
	}
	return TOTPKey{Secret: k.Secret(), URL: k.URL()}, nil
}

// QRPNG renders the key's otpauth URL as a PNG QR code.
func (k TOTPKey) QRPNG(size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(k.URL)
	if err != nil {
		return nil, fmt.Errorf("TOTP URL: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("TOTP QR code: %w", err)
	}
	return buf.Bytes(), nil
}

// VerifyTOTP checks code against secret at time now and returns the time
// step it matched. A code is accepted only for a step after lastStep, the
// step of the last accepted code, so a code seen over a shoulder or in a
// proxy log cannot be replayed within its window (security checklist R-AZ3,
// ASVS 6.5.1). The caller stores the returned step.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	if len(code) != 6 {
		return 0, false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	current := now.Unix() / totpPeriod
	opts := hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := current + d
		if s <= lastStep || s < 0 {
			continue
		}
		valid, err := hotp.ValidateCustom(code, uint64(s), secret, opts)
		if err == nil && valid {
			return s, true
		}
	}
	return 0, false
}

// TOTPCode returns the code for secret at time t; tests and the enrolment
// self-check use it.
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPURL returns the otpauth:// URL for a stored secret, for showing the
// QR code again while enrolment is unfinished.
func TOTPURL(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", "30")
	v.Set("digits", "6")
	v.Set("algorithm", "SHA1")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	return u.String()
}
