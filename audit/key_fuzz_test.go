package audit_test

import (
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/flare-ilo/flare/audit"
)

// FuzzParseKey: ParseKey never panics, and a key it accepts signs notes
// that its own verifier accepts.
func FuzzParseKey(f *testing.F) {
	skey, err := audit.GenerateKey(audit.DefaultKeyName)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(skey)
	f.Add("PRIVATE+KEY+a+00000000+AQ==")
	f.Add("PRIVATE+KEY+flare-audit+12345678+AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
	f.Add("flare-audit+12345678+AQIDBA==")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := audit.ParseKey(s)
		if err != nil {
			return
		}
		msg, err := note.Sign(&note.Note{Text: "x\n"}, k.Signer())
		if err != nil {
			t.Fatalf("accepted key cannot sign: %v", err)
		}
		if _, err := note.Open(msg, note.VerifierList(k.Verifier())); err != nil {
			t.Fatalf("accepted key's verifier rejects its signature: %v", err)
		}
	})
}
