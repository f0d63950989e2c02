package linkage

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// foldSpecial maps the Latin letters that Unicode does not decompose into a
// base letter plus a diacritic, so that NFKD alone would leave them unmatched
// with their usual ASCII transcription.
var foldSpecial = map[rune]string{
	'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l",
	'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ı': "i",
	'þ': "th", 'Þ': "th", 'ð': "d", 'Ð': "d", 'ħ': "h", 'Ħ': "h",
}

// Fold normalises free text for comparison: Unicode compatibility
// decomposition (NFKD) with the combining marks removed (so "José" and
// "Jose" agree), lower case, apostrophes dropped ("O'Brien" = "OBrien"),
// every other run of punctuation or white space turned into one space, and
// no leading or trailing space.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	// Invalid UTF-8 becomes a space first: the normaliser would otherwise
	// copy the text around it undecomposed.
	for _, r := range norm.NFKD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if pendingSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pendingSpace = false
			if t, ok := foldSpecial[r]; ok {
				b.WriteString(t)
				continue
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			pendingSpace = true
		}
	}
	return b.String()
}

// nameParticles are the connecting words of family names in several
// languages ("van der", "de la", "bin", "al") that one register writes and
// another leaves out, so they carry no evidence and are removed.
var nameParticles = map[string]bool{
	"van": true, "der": true, "den": true, "de": true, "del": true, "della": true,
	"la": true, "le": true, "du": true, "da": true, "das": true, "dos": true,
	"di": true, "von": true, "zu": true, "ter": true, "ten": true, "het": true,
	"al": true, "el": true, "bin": true, "binti": true, "bint": true, "ibn": true,
	"ben": true, "bte": true, "ap": true, "y": true, "e": true, "st": true,
}

// FoldName is Fold for personal names: it also removes name particles, unless
// the name is nothing but particles ("De La" stays "de la").
func FoldName(s string) string {
	f := Fold(s)
	if !strings.Contains(f, " ") {
		return f
	}
	tokens := strings.Fields(f)
	kept := tokens[:0:0]
	for _, t := range tokens {
		if !nameParticles[t] {
			kept = append(kept, t)
		}
	}
	if len(kept) == 0 {
		return f
	}
	return strings.Join(kept, " ")
}

// legalForms maps the abbreviations of company legal forms to one spelling,
// so that "XYZ Garments Ltd" and "Garments XYZ Limited" share every token.
var legalForms = map[string]string{
	"ltd": "limited", "ltda": "limitada", "co": "company", "cos": "company",
	"inc": "incorporated", "corp": "corporation", "pvt": "private",
	"pte": "private", "plc": "plc", "llc": "llc", "bros": "brothers",
	"intl": "international", "mfg": "manufacturing", "sa": "sa", "sarl": "sarl",
	"gmbh": "gmbh", "bhd": "berhad", "sdn": "sendirian", "and": "and",
}

// FoldOrganisation is Fold for organisation names: legal forms and common
// abbreviations are written one way ("ltd" becomes "limited").
func FoldOrganisation(s string) string {
	tokens := strings.Fields(Fold(s))
	for i, t := range tokens {
		if c, ok := legalForms[t]; ok {
			tokens[i] = c
		}
	}
	return strings.Join(tokens, " ")
}

// FoldCode normalises codes such as postcodes, phone and identity numbers:
// Fold, then every space removed ("AB1 2CD" = "ab12cd").
func FoldCode(s string) string {
	return strings.ReplaceAll(Fold(s), " ", "")
}
