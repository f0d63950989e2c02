package wages

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzDecodeClaim feeds arbitrary bytes to the JSON decoder. It must never
// panic; what it accepts must compute without panicking, add up, and
// encode to valid JSON; what it refuses must be InputErrors.
func FuzzDecodeClaim(f *testing.F) {
	f.Add([]byte(validClaim))
	if data, err := os.ReadFile("testdata/claim_2009.json"); err == nil {
		f.Add(data)
	}
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"rules": null}`, `{"periods": [{}]}`,
		strings.Replace(validClaim, `"hours_worked": 200`, `"hours_worked": 1e17`, 1),
		strings.Replace(validClaim, `"paid": 500`, `"paid": 99999999999999999`, 1),
		strings.Replace(validClaim, `"hourly": 7.25`, `"hourly": 999999999999.999999`, 1),
		strings.Replace(validClaim, `"currency": "USD"`, `"currency": "JPY"`, 1),
		strings.Replace(validClaim, `"as_of": "2024-12-31"`, `"as_of": "9999-12-31"`, 1),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claim, err := DecodeClaim(data)
		if err != nil {
			var errs InputErrors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("decode error is not InputErrors: %v", err)
			}
			return
		}
		res, err := Compute(claim)
		if err != nil {
			var errs InputErrors
			if !errors.As(err, &errs) {
				t.Fatalf("compute error is not InputErrors: %v", err)
			}
			return
		}
		checkAddsUp(t, res)
		out, err := json.Marshal(res)
		if err != nil || !json.Valid(out) {
			t.Fatalf("bad output %s: %v", out, err)
		}
	})
}

// FuzzParseDecimal checks that every decimal the parser accepts prints back
// to the same value.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"0", "7.25", "-1.5e3", "1e-18", ".5", "123456789012345678", "1e17", "00.100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if err != nil {
			return
		}
		back, err := ParseDecimal(d.String())
		if err != nil || back != d {
			t.Fatalf("%q -> %s -> %v, %v", s, d, back, err)
		}
		if d.Rat().Cmp(back.Rat()) != 0 {
			t.Fatalf("%q changed value", s)
		}
	})
}
