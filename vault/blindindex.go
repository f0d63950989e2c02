package vault

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// BlindIndexBytes is how much of each token's HMAC-SHA256 the index keeps:
// 4 bytes, written as 8 hex digits.
//
// The trade-off. Shorter tokens collide more: at 32 bits, a name index of
// 100 000 distinct words sees a false match on about 1 search in 40 000, so
// search results are cheap to confirm by decrypting (callers must confirm).
// Longer tokens would not hide more: what the index leaks is which records
// share a word, and that is the same at 32 bits or 256. Only a much shorter
// token (under about 16 bits) would blur that, at the price of every search
// returning many false matches. The database never holds enough to test a
// guessed name: that needs the blind-index key, which is in the key ring.
const BlindIndexBytes = 4

// maxTokens and maxTokenRunes bound the work one value can cause.
const (
	maxTokens     = 64
	maxTokenRunes = 64
)

// NormaliseTokens splits text into the words a search matches on:
// compatibility-decomposed (NFKD), case folded, with the diacritics removed, then
// recomposed (NFC), split on anything that is not a letter, a digit or a
// spacing mark, without duplicates, in sorted order. "José Müller-Lüdenscheidt"
// gives [jose ludenscheidt muller]. Scripts written without spaces give one
// token per run of letters.
func NormaliseTokens(text string) []string {
	// Decompose, fold, decompose again: folding can yield a character
	// that decomposes further, and decomposing can yield one that folds
	// ("Ϲ" decomposes to the final sigma "ς", which folds to "σ"). Without
	// both passes a stored token would not match a query for itself.
	// Invalid UTF-8 becomes a separator first: the normaliser leaves the
	// text around a bad byte undecomposed.
	text = strings.ToValidUTF8(text, " ")
	folded := norm.NFKD.String(cases.Fold().String(norm.NFKD.String(text)))
	var b strings.Builder
	for _, r := range folded {
		if unicode.Is(unicode.Mn, r) {
			continue // a diacritic: "é" and "e" must match
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r) {
			// cases.Fold is not idempotent everywhere (it maps Cherokee
			// small letters to capitals and capitals to small letters):
			// settle every letter on the lower case of its upper case.
			b.WriteRune(unicode.ToLower(unicode.ToUpper(r)))
		} else {
			b.WriteByte(' ')
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range strings.Fields(norm.NFC.String(b.String())) {
		if r := []rune(f); len(r) > maxTokenRunes {
			f = string(r[:maxTokenRunes])
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	if len(out) > maxTokens {
		out = out[:maxTokens]
	}
	return out
}

// BlindIndex returns the blind-index tokens of text for the named field
// (e.g. "person.name"): for each normalised word, the first BlindIndexBytes
// of HMAC-SHA256 under the ring's blind-index key, in hex. The field is part
// of the MAC, so equal words in two fields give unrelated tokens. Store the
// tokens of a value; to search, compute the tokens of the query the same way
// and look for records holding all of them, then confirm by decrypting.
func (v *Vault) BlindIndex(field, text string) ([]string, error) {
	if field == "" {
		return nil, fmt.Errorf("vault: blind index needs a field name")
	}
	r, err := v.current()
	if err != nil {
		return nil, err
	}
	words := NormaliseTokens(text)
	out := make([]string, 0, len(words))
	for _, w := range words {
		m := hmac.New(sha256.New, r.blindKey[:])
		m.Write([]byte("flare/blind/v1\x00"))
		m.Write(appendField(nil, field))
		m.Write([]byte(w))
		out = append(out, hex.EncodeToString(m.Sum(nil)[:BlindIndexBytes]))
	}
	sort.Strings(out)
	return out, nil
}
