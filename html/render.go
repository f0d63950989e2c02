// Package html renders Flare's pages: html/template layouts embedded in the
// binary, static assets under content-hashed URLs, and the message
// catalogues that make every page available in every interface language.
package html

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

//go:embed templates/*.html templates/partials/*.html
var templateFiles embed.FS

// Renderer renders pages in the visitor's language.
type Renderer struct {
	catalog *Catalog
	assets  *Assets
	pages   map[string]*template.Template
}

// NewRenderer parses every page template with the base layout.
func NewRenderer(catalog *Catalog, assets *Assets) (*Renderer, error) {
	r := &Renderer{catalog: catalog, assets: assets, pages: map[string]*template.Template{}}
	funcs := template.FuncMap{"asset": assets.URL}
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	for _, name := range names {
		if strings.HasSuffix(name, "/layout.html") || strings.HasSuffix(name, "/staffbar.html") {
			continue
		}
		// Partials (templates/partials/) are sections that several pages
		// share or that one area of the application owns, such as the
		// sections of the case page.
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html",
			"templates/staffbar.html", "templates/partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
		page := strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		r.pages[page] = t
	}
	return r, nil
}

// Catalog returns the renderer's message catalogue.
func (r *Renderer) Catalog() *Catalog { return r.catalog }

// Assets returns the renderer's static assets.
func (r *Renderer) Assets() *Assets { return r.assets }

// Page is what every page's view carries: the language it is shown in and
// what the layout needs. Page views embed it.
type Page struct {
	Lang      Language
	Languages []LanguageLink
	// TitleKey is the message key of the page title; titles say where the
	// visitor is and never what they reported (checklist R-IN8).
	TitleKey string
	catalog  *Catalog
}

// LanguageLink is one entry of the language switcher.
type LanguageLink struct {
	Language
	URL     string
	Current bool
}

// T translates key into the page's language.
func (p Page) T(key string) string { return p.catalog.T(p.Lang.Code, key) }

// Dir is the text direction of the page's language.
func (p Page) Dir() string {
	if p.Lang.RTL {
		return "rtl"
	}
	return "ltr"
}

// NewPage returns the Page for a request, in the language it asks for.
func (r *Renderer) NewPage(req *http.Request, titleKey string) Page {
	lang := r.catalog.Choose(req)
	p := Page{Lang: lang, TitleKey: titleKey, catalog: r.catalog}
	for _, l := range r.catalog.Languages() {
		p.Languages = append(p.Languages, LanguageLink{Language: l, URL: switchURL(req, l.Code), Current: l.Code == lang.Code})
	}
	return p
}

// Render writes page with the given view and status. The page is rendered
// into a buffer first, so a template error never sends half a page.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, page string, view any) error {
	t, ok := r.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	r.catalog.RememberChoice(w, req)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// HomeView is the landing page.
type HomeView struct{ Page }

// SignInView is the sign-in page and its second-factor step.
type SignInView struct {
	Page
	Next     string
	Email    string
	ErrorKey string
}

// EnrolView is the enrolment page: set a password, add the second factor.
type EnrolView struct {
	Page
	Email    string
	Token    string
	Secret   string
	ErrorKey string
}

// EnrolDoneView shows the recovery codes, once.
type EnrolDoneView struct {
	Page
	RecoveryCodes []string
}

// CaseListView is the staff case list.
type CaseListView struct {
	Page
	Email string
	Cases []*flare.Case
	// Filter is what the user asked for; Filtered is true when any filter
	// is set, and FilterError explains a filter value that was refused.
	Filter      CaseListFilter
	Filtered    bool
	FilterError string
	// Statuses and Sectors are the choices of the filter form.
	Statuses []flare.CaseStatus
	Sectors  []flare.ISICSection
}

// CaseListFilter is the filter form of the case list, as submitted.
type CaseListFilter struct {
	Status, Region, Sector string
	Overdue, Mine          bool
	Text, Name             string
}

// AppView is the staff home: where a signed-in user can go.
type AppView struct {
	Page
	Email string
	Links []AppLink
}

// AppLink is one place on the staff home.
type AppLink struct {
	URL      string
	TitleKey string
	TextKey  string
}

// UsersView is an admin's list of the agency's users with the form to add
// one; after adding, it shows the new user's one-time enrolment link.
type UsersView struct {
	Page
	Users         []*flare.User
	MeID          string
	Roles         []flare.Role
	Email         string
	ErrorMessage  string
	NewUser       *flare.User
	EnrolmentLink string
}

// CaseView is one case, and for supervisors who accessed it.
//
// The parts of a case have their own sections, each filled by its own
// handler: People (persons in the case), Parties (organisations and
// worksites) and Work (notes, tasks, documents and the timeline).
type CaseView struct {
	Page
	Case *flare.Case
	// MeID is the signed-in user, to say "you" when the case is theirs.
	MeID       string
	ShowAccess bool
	Access     []AccessLine
	People     PeopleSection
	Parties    PartiesSection
	Work       WorkSection
	// Enforcement is the inspections and proceedings (issue #6).
	Enforcement EnforcementSection
	// Sharing is the case's referrals and grants (issue #6).
	Sharing SharingSection
	// Reports are the reports the case came from, for staff who may read
	// reports (intake and supervisors).
	Reports []*flare.Report
}

// AccessLine is one line of "who looked at this case, when".
type AccessLine struct {
	At      time.Time
	Who     string
	Action  string
	Outcome string
}

// ErrorView is a page that says something went wrong, in plain words.
type ErrorView struct {
	Page
	Status     int
	MessageKey string
	RequestID  string
}
