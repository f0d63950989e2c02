package flare

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// CleanText normalises user text once, at input: Unicode NFC (so that the
// same name typed on two keyboards compares equal), bidirectional control
// characters removed (they can make an Arabic or Latin identifier display as
// something else), other control characters removed, and surrounding space
// trimmed. Security checklist R-IH4; OWASP ASVS 1.1.1.
func CleanText(s string) string {
	// Strip before normalising: a control character between a letter and
	// its accent would otherwise block composition and leave non-NFC text.
	s = strings.Map(func(r rune) rune {
		if isBidiControl(r) || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// CleanLine is CleanText for single-line fields: any line break or tab
// becomes a space.
func CleanLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	return CleanText(s)
}

// isBidiControl reports the explicit directional formatting characters of
// Unicode Standard Annex #9 (embeddings, overrides, isolates, marks).
func isBidiControl(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E': // LRE, RLE, PDF, LRO, RLO
		return true
	case r >= '\u2066' && r <= '\u2069': // LRI, RLI, FSI, PDI
		return true
	case r == '\u200E' || r == '\u200F' || r == '\u061C': // LRM, RLM, ALM
		return true
	}
	return false
}
