package auth

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fastParams keep the tests quick; the parameters are part of the hash, so
// verification does not depend on them.
var fastParams = Params{MemoryKiB: 64, Time: 1, Threads: 1}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse battery staple", fastParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if ok, err := VerifyPassword(h, "correct horse battery staple"); !ok || err != nil {
		t.Fatalf("right password refused: %v %v", ok, err)
	}
	if ok, _ := VerifyPassword(h, "correct horse battery stapl"); ok {
		t.Fatal("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse battery staple", fastParams)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func TestDefaultParamsHash(t *testing.T) {
	h, err := HashPassword("a long enough password", DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "m=47104,t=1,p=1") {
		t.Errorf("default parameters not in hash: %s", h)
	}
	if ok, _ := VerifyPassword(h, "a long enough password"); !ok {
		t.Error("default-parameter hash does not verify")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, h := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=18$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaGhhc2hoYXNoaGFzaA"} {
		if ok, err := VerifyPassword(h, "x"); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("VerifyPassword(%q) = %v, %v; want malformed", h, ok, err)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := HashPassword("seed password here", fastParams)
	f.Add(h, "seed password here")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		// Never panic, never accept a malformed hash.
		ok, err := VerifyPassword(hash, pw)
		if err != nil && ok {
			t.Fatal("accepted with an error")
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	p := NewPasswordPolicy()
	tests := []struct {
		pw, email string
		want      error
	}{
		{"short", "", ErrPasswordTooShort},
		{"elevenchars", "", ErrPasswordTooShort},
		{strings.Repeat("x", 257), "", ErrPasswordTooLong},
		{"qwertyuiop123", "", ErrPasswordCommon},  // listed base, digits added
		{"1qaz2wsx3edc", "", ErrPasswordCommon},   // listed as is
		{"Password2026!!", "", ErrPasswordCommon}, // listed base, case and suffix
		{"abcabcabcabc", "", ErrPasswordCommon},   // repetition
		{"amina.yusuf@labour.example", "amina.yusuf@labour.example", ErrPasswordIsEmail},
		{"amina.yusuf", "amina.yusuf@labour.example", ErrPasswordTooShort},
		{"river otter pay slip", "", nil},
		{"كلمة مرور طويلة", "", nil}, // 15 characters, 28 bytes
		{"短い", "", ErrPasswordTooShort},
	}
	for _, tt := range tests {
		if got := p.Check(tt.pw, tt.email); !errors.Is(got, tt.want) {
			t.Errorf("Check(%q) = %v, want %v", tt.pw, got, tt.want)
		}
	}
	if len(p.common) < 40000 {
		t.Errorf("common password list has %d entries, want the shipped ~49k", len(p.common))
	}
}

func TestTOTPReplayAndSkew(t *testing.T) {
	k, err := NewTOTPKey("Flare", "inspector@example.org")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 10, 0, 15, 0, time.UTC)
	code, err := TOTPCode(k.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := VerifyTOTP(k.Secret, code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("fresh code refused: %v %d", ok, step)
	}
	if _, ok := VerifyTOTP(k.Secret, code, now.Add(5*time.Second), step); ok {
		t.Fatal("a code was accepted twice in its step (replay)")
	}
	// One step of drift is accepted, two are not.
	if _, ok := VerifyTOTP(k.Secret, code, now.Add(30*time.Second), 0); !ok {
		t.Error("code from the previous step refused")
	}
	if _, ok := VerifyTOTP(k.Secret, code, now.Add(90*time.Second), 0); ok {
		t.Error("code from three steps ago accepted")
	}
	for _, bad := range []string{"", "12345", "1234567", "12a456", "١٢٣٤٥٦"} {
		if _, ok := VerifyTOTP(k.Secret, bad, now, 0); ok {
			t.Errorf("malformed code %q accepted", bad)
		}
	}
	png, err := k.QRPNG(200)
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("QR code not a PNG: %v", err)
	}
}

func TestTokens(t *testing.T) {
	a, _ := NewToken()
	b, _ := NewToken()
	if a == b || len(a) < 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) == a || len(HashToken(a)) != 64 || HashToken(a) != HashToken(a) {
		t.Fatal("HashToken")
	}
	codes, err := NewRecoveryCodes(10)
	if err != nil || len(codes) != 10 {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !re.MatchString(c) || seen[c] {
			t.Errorf("recovery code %q malformed or repeated", c)
		}
		seen[c] = true
	}
	typed := strings.ToLower(strings.ReplaceAll(codes[0], "-", " "))
	if HashRecoveryCode(typed) != HashRecoveryCode(codes[0]) {
		t.Error("recovery code typed in lower case with spaces does not match")
	}
}
