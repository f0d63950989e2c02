package html

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// The catalogue of a language is locales/<lang>.json merged with
// locales/<area>/<lang>.json of every area (casework, portal, ...): one file
// per area keeps each part of the interface's words together.
//
//go:embed locales
var localeFiles embed.FS

// Language is one language of the interface.
type Language struct {
	Code string // BCP 47 tag: "en", "ar", ...
	Name string // the language's own name for itself, for the switcher
	RTL  bool   // written right to left
}

// languages are the interface languages, the first being the fallback. The
// portal must serve at least these five (PRODUCT.md, capability 1).
func languages() []Language {
	return []Language{
		{Code: "en", Name: "English"},
		{Code: "fr", Name: "Français"},
		{Code: "es", Name: "Español"},
		{Code: "pt", Name: "Português"},
		{Code: "ar", Name: "العربية", RTL: true},
	}
}

// Catalog holds the message catalogue of every language.
type Catalog struct {
	langs    []Language
	messages map[string]map[string]string // lang -> key -> text
	matcher  language.Matcher
}

// LoadCatalog reads the embedded catalogues and checks that each has
// exactly the keys of the English one, so no page shows a raw key.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{langs: languages(), messages: map[string]map[string]string{}}
	var tags []language.Tag
	for _, l := range c.langs {
		m, err := loadLanguage(l.Code)
		if err != nil {
			return nil, err
		}
		c.messages[l.Code] = m
		tags = append(tags, language.Make(l.Code))
	}
	c.matcher = language.NewMatcher(tags)
	if err := c.checkKeys(); err != nil {
		return nil, err
	}
	return c, nil
}

// loadLanguage merges the catalogue files of one language; a key defined in
// two files is an error, so one area cannot silently reword another's.
func loadLanguage(code string) (map[string]string, error) {
	files := []string{path.Join("locales", code+".json")}
	areas, err := fs.ReadDir(localeFiles, "locales")
	if err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", code, err)
	}
	for _, a := range areas {
		if a.IsDir() {
			files = append(files, path.Join("locales", a.Name(), code+".json"))
		}
	}
	m := map[string]string{}
	for _, f := range files {
		b, err := localeFiles.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", code, err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("catalogue %s: key %q is defined twice", f, k)
			}
			m[k] = v
		}
	}
	return m, nil
}

func (c *Catalog) checkKeys() error {
	base := c.messages[c.langs[0].Code]
	for _, l := range c.langs[1:] {
		m := c.messages[l.Code]
		for k := range base {
			if _, ok := m[k]; !ok {
				return fmt.Errorf("catalogue %s lacks key %q", l.Code, k)
			}
		}
		for k := range m {
			if _, ok := base[k]; !ok {
				return fmt.Errorf("catalogue %s has key %q that %s lacks", l.Code, k, c.langs[0].Code)
			}
		}
	}
	return nil
}

// Languages returns the interface languages in switcher order.
func (c *Catalog) Languages() []Language { return slices.Clone(c.langs) }

// Language returns the language with code, and false if there is none.
func (c *Catalog) Language(code string) (Language, bool) {
	for _, l := range c.langs {
		if l.Code == code {
			return l, true
		}
	}
	return Language{}, false
}

// T returns the text of key in lang, falling back to the first language,
// then to the key itself (which the catalogue test makes unreachable).
func (c *Catalog) T(lang, key string) string {
	if s, ok := c.messages[lang][key]; ok {
		return s
	}
	if s, ok := c.messages[c.langs[0].Code][key]; ok {
		return s
	}
	return key
}

// Keys returns every message key, sorted.
func (c *Catalog) Keys() []string {
	var keys []string
	for k := range c.messages[c.langs[0].Code] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// LangCookie is the one cookie the public pages may set, and only when the
// visitor picks a language: it remembers that choice and nothing else
// (security checklist R-IN2 allows one named, strictly necessary cookie).
const LangCookie = "flare_lang"

// Choose picks the language for a request: an explicit ?lang= choice, then
// the remembered choice, then the browser's Accept-Language, then English.
func (c *Catalog) Choose(r *http.Request) Language {
	if l, ok := c.Language(r.URL.Query().Get("lang")); ok {
		return l
	}
	if ck, err := r.Cookie(LangCookie); err == nil {
		if l, ok := c.Language(ck.Value); ok {
			return l
		}
	}
	if accept := r.Header.Get("Accept-Language"); accept != "" {
		tags, _, err := language.ParseAcceptLanguage(accept)
		if err == nil && len(tags) > 0 {
			_, idx, conf := c.matcher.Match(tags...)
			if conf != language.No {
				return c.langs[idx]
			}
		}
	}
	return c.langs[0]
}

// RememberChoice sets the language cookie when the request makes an explicit
// choice with ?lang=, so the next page keeps it.
func (c *Catalog) RememberChoice(w http.ResponseWriter, r *http.Request) {
	l, ok := c.Language(r.URL.Query().Get("lang"))
	if !ok {
		return
	}
	if ck, err := r.Cookie(LangCookie); err == nil && ck.Value == l.Code {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: LangCookie, Value: l.Code, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

// switchURL returns the current path with ?lang=code, dropping other query
// parameters so a switch never carries anything else along.
func switchURL(r *http.Request, code string) string {
	p := r.URL.Path
	if p == "" || strings.HasPrefix(p, "//") {
		p = "/"
	}
	return p + "?lang=" + code
}
