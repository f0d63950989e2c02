package html

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/screening"
)

// placeholderRE matches an argument of a screening message, "{episode}".
var placeholderRE = regexp.MustCompile(`\{[a-z_]+\}`)

// placeholders returns the sorted arguments a text names, with repeats, so
// two texts compare equal only with the same names the same number of times.
func placeholders(text string) []string {
	p := placeholderRE.FindAllString(text, -1)
	slices.Sort(p)
	return p
}

// TestScreeningCatalogue checks the interface catalogues against the
// engine's English catalogue (issue #7): the screening interview and its
// explanations render through html.Catalog, so every key the engine emits
// must be there, English word for word, and every language must keep the
// arguments the engine fills in.
func TestScreeningCatalogue(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	en := screening.English()
	keys := slices.Sorted(maps.Keys(en))
	for _, k := range keys {
		if got, ok := c.messages["en"][k]; !ok {
			t.Errorf("en: key %q of screening.English() is missing", k)
			continue
		} else if got != en[k] {
			t.Errorf("en: %q = %q, screening.English() has %q", k, got, en[k])
		}
		want := placeholders(en[k])
		for _, l := range c.Languages() {
			text, ok := c.messages[l.Code][k]
			if !ok {
				t.Errorf("%s: key %q is missing", l.Code, k)
				continue
			}
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %q is empty", l.Code, k)
			}
			if got := placeholders(text); !slices.Equal(got, want) {
				t.Errorf("%s: %q has arguments %v, English has %v", l.Code, k, got, want)
			}
		}
	}
}

// TestScreeningCatalogueRenders renders a real explanation in every language:
// no argument may stay in braces once the engine's arguments are filled in.
func TestScreeningCatalogueRenders(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	en := screening.English()
	for _, l := range c.Languages() {
		cat := screening.Catalogue{}
		for k := range en {
			cat[k] = c.T(l.Code, k)
		}
		m := screening.Message{Key: "screening.explain.decisive_coercion", Args: map[string]string{
			"element": "C5", "mode": "threatened", "on": "2026-03-01", "stage": "employment", "perpetrator": "employer",
		}}
		got := cat.Render(m)
		if strings.ContainsAny(got, "{}") || strings.Contains(got, "screening.") {
			t.Errorf("%s: %q renders as %q", l.Code, m.Key, got)
		}
	}
}
