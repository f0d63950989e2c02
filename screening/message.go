package screening

import (
	"sort"
	"strings"
)

// Message is one sentence of an explanation, as a message key and its
// arguments, so that each language renders it from its own catalogue.
//
// Arguments are plain strings. An argument whose name appears in
// codeArgPrefixes holds one code, or several separated by commas; renderers
// show each code through the catalogue key made of the prefix and the code
// (for example element "C5" through "screening.element.C5").
type Message struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
}

// msg builds a Message from a key and name, value pairs.
func msg(key string, nameValues ...string) Message {
	m := Message{Key: key}
	if len(nameValues) > 0 {
		m.Args = make(map[string]string, len(nameValues)/2)
		for i := 0; i+1 < len(nameValues); i += 2 {
			m.Args[nameValues[i]] = nameValues[i+1]
		}
	}
	return m
}

// codeArgPrefixes maps an argument name to the catalogue prefix of the codes
// it holds.
func codeArgPrefixes() map[string]string {
	return map[string]string{
		"element":         "screening.element.",
		"elements":        "screening.element.",
		"involuntariness": "screening.element.",
		"coercion":        "screening.element.",
		"indicator":       "screening.indicator.",
		"perpetrator":     "screening.role.",
		"stage":           "screening.stage.",
		"mode":            "screening.mode.",
		"evidence_kind":   "screening.evidence.",
		"worst_form":      "screening.worst_form.",
		"acts":            "screening.act.",
		"means":           "screening.means.",
		"purposes":        "screening.purpose.",
		"missing":         "screening.trafficking.missing.",
	}
}

// Catalogue maps message keys to texts in one language. A text names its
// arguments in braces: "Episode {episode}: ...".
type Catalogue map[string]string

// Render returns m in the catalogue's language. A key missing from the
// catalogue renders as the key itself, so a gap shows instead of hiding.
func (c Catalogue) Render(m Message) string {
	text, ok := c[m.Key]
	if !ok {
		return m.Key
	}
	prefixes := codeArgPrefixes()
	names := make([]string, 0, len(m.Args))
	for name := range m.Args {
		names = append(names, name)
	}
	sort.Strings(names) // replace in a fixed order: the output must not vary
	pairs := make([]string, 0, 2*len(names))
	for _, name := range names {
		value := m.Args[name]
		if prefix, ok := prefixes[name]; ok {
			value = c.codes(prefix, value)
		}
		pairs = append(pairs, "{"+name+"}", value)
	}
	return strings.NewReplacer(pairs...).Replace(text)
}

// RenderAll renders every message, one string each.
func (c Catalogue) RenderAll(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = c.Render(m)
	}
	return out
}

// codes shows a comma-separated list of codes through the catalogue.
func (c Catalogue) codes(prefix, list string) string {
	if list == "" {
		return ""
	}
	parts := strings.Split(list, ",")
	for i, code := range parts {
		if text, ok := c[prefix+code]; ok {
			parts[i] = text
		}
	}
	return strings.Join(parts, "; ")
}

// joinCodes writes codes as the comma-separated list an argument holds.
func joinCodes[T ~string](codes []T) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = string(c)
	}
	return strings.Join(parts, ",")
}
