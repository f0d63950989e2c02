package html

import (
	"flag"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

var update = flag.Bool("update", false, "rewrite golden files")

func newRenderer(t *testing.T) *Renderer {
	t.Helper()
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	a, err := LoadAssets()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(c, a)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestTemplateKeysExist finds every message key the templates use and
// checks the catalogue has it, so no page ever shows a raw key.
func TestTemplateKeysExist(t *testing.T) {
	r := newRenderer(t)
	keys := map[string]bool{}
	for _, k := range r.Catalog().Keys() {
		keys[k] = true
	}
	used := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err := fs.WalkDir(templateFiles, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := templateFiles.ReadFile(p)
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if !keys[m[1]] {
				t.Errorf("%s uses key %q that the catalogue lacks", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCatalogsTranslated(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	// A catalogue that copies English for a sentence is not translated;
	// these words really are the same in both languages.
	sameWord := map[string]bool{"fr/signin.code": true, "es/role.supervisor": true, "pt/role.supervisor": true}
	for _, l := range c.Languages()[1:] {
		for _, k := range c.Keys() {
			if c.T(l.Code, k) == c.T("en", k) && !sameWord[l.Code+"/"+k] {
				t.Errorf("%s: %q is identical to English", l.Code, k)
			}
		}
		if strings.TrimSpace(c.T(l.Code, "home.heading")) == "" {
			t.Errorf("%s: empty heading", l.Code)
		}
	}
}

// TestHomeGolden renders the landing page in English and Arabic and compares
// with testdata; run "go test ./html -update" after an intended change.
func TestHomeGolden(t *testing.T) {
	r := newRenderer(t)
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/?lang="+lang, nil)
			rec := httptest.NewRecorder()
			if err := r.Render(rec, req, 200, "home", HomeView{Page: r.NewPage(req, "home.title")}); err != nil {
				t.Fatal(err)
			}
			got := rec.Body.String()
			// The asset hash changes with the stylesheet; keep the golden
			// file about the page.
			got = regexp.MustCompile(`flare\.[0-9a-f]{12}\.css`).ReplaceAllString(got, "flare.HASH.css")
			golden := filepath.Join("testdata", "home."+lang+".golden.html")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("home page in %s differs from %s; run with -update if intended\n%s", lang, golden, got)
			}
		})
	}
}

func TestRenderUnknownPage(t *testing.T) {
	r := newRenderer(t)
	rec := httptest.NewRecorder()
	if err := r.Render(rec, httptest.NewRequest("GET", "/", nil), 200, "nope", nil); err == nil {
		t.Fatal("rendering an unknown page succeeded")
	}
	if rec.Body.Len() != 0 {
		t.Error("a failed render wrote part of a page")
	}
}

func TestSwitchURLDropsQuery(t *testing.T) {
	req := httptest.NewRequest("GET", "/some/page?receipt=1234&x=y", nil)
	if got := switchURL(req, "ar"); got != "/some/page?lang=ar" {
		t.Errorf("switchURL = %q", got)
	}
}

// TestStatusKeys: the case list builds status keys at run time, so the
// template test cannot see them.
func TestStatusKeys(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range flare.CaseStatuses() {
		if c.T("en", "case.status."+string(st)) == "case.status."+string(st) {
			t.Errorf("no message for case status %q", st)
		}
	}
}

// TestRoleKeys: role names are looked up at run time too.
func TestRoleKeys(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range flare.Roles() {
		if c.T("en", "role."+string(r)) == "role."+string(r) {
			t.Errorf("no message for role %q", r)
		}
	}
}
