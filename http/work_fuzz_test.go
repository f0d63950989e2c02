package http

import (
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// FuzzWorkRequests feeds the JSON decoders of the note and task API: they
// never panic, and whatever they refuse is bad input (400), never an
// internal error (checklist R-IH1).
func FuzzWorkRequests(f *testing.F) {
	for _, s := range []string{`{"text":"x","corrects":"0190aaaa-0000-7000-8000-000000000001"}`,
		`{"title":"Visit","due_on":"2026-12-01","assignee_id":""}`, `{"due_on":null,"done":true}`,
		`{"due_on":"31/12/2026"}`, `{"done":"yes"}`, `{"title":1}`, `[]`, `{"a":`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, v := range []any{&noteRequest{}, &taskCreateRequest{}, &taskUpdateRequest{}} {
			if err := decodeJSONBody(strings.NewReader(body), v); err != nil && flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("%T: %v (code %s)", v, err, flare.ErrorCodeOf(err))
			}
		}
	})
}
