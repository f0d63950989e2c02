package http

import (
	"net/url"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// FuzzReferralRequests feeds the referral API's JSON decoder and the
// referral form's reader: they never panic, and whatever they refuse is
// bad input, never an internal error (checklist R-IH1).
func FuzzReferralRequests(f *testing.F) {
	for _, s := range []string{
		`{"to_agency_id":"a","purpose":"x","due_on":"2026-12-04","sharing":{"legal_basis":"law","reference":"Act"}}`,
		`{"sharing":{"legal_basis":"consent","consent_given_on":"2026-11-27","consent_language":"sw","expires_on":"2027-01-01"}}`,
		`{"sharing":{"person_ids":["x",""],"field_groups":["identity","nope"]}}`, `{"urgent":"yes"}`, `[]`, `{"a":`,
		"to_agency_id=a&scope=people&person_id=p&legal_basis=consent&consent_given_on=2026-13-40&due_on=x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&referralRequest{}, &referralAnswer{}} {
			if err := decodeJSONBody(strings.NewReader(body), v); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("%T: %v (code %s)", v, err, flare.ErrorCodeOf(err))
			}
		}
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		ref, err := referralOf("0190aaaa-0000-7000-8000-000000000001", referralFormValues(form))
		if err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("form: %v (code %s)", err, flare.ErrorCodeOf(err))
		}
		if err == nil {
			// Whatever the form gives, validation refuses it as bad input
			// or accepts it: never a panic.
			if err := ref.Validate(); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("validate: %v", err)
			}
		}
	})
}
