package flare

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FuzzCleanText: cleaning never panics, is idempotent, leaves valid NFC text
// without bidi controls, and CleanLine leaves no line break.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "plain", "e\u0301", "abc\u202Egnp.exe", "a\x00\nlevel=ERROR", "محمد\u200f", "\xff\xfe", "e\x00\u0301", "e\u202e\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanText(s)
		if CleanText(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, c, CleanText(c))
		}
		if utf8.ValidString(s) && !norm.NFC.IsNormalString(c) {
			t.Fatalf("not NFC: %q", c)
		}
		for _, r := range c {
			if isBidiControl(r) {
				t.Fatalf("bidi control %U left in %q", r, c)
			}
		}
		if l := CleanLine(s); strings.ContainsAny(l, "\n\r") {
			t.Fatalf("line break left in %q", l)
		}
	})
}
