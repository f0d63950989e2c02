package http

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/html"
)

// PortalConfig configures the public reporting portal (issue #4).
type PortalConfig struct {
	// EmergencyNumbers are the numbers the country has configured, shown
	// first when someone is in danger now.
	EmergencyNumbers []EmergencyNumber
	// OnionLocation, when set, is announced in an Onion-Location header
	// on every portal page (R-IN7).
	OnionLocation string
	// ExitURL is where the quick-exit button leads: a neutral page.
	ExitURL string
	// SubmitLimit bounds submissions per (salted) client address. Zero
	// means 10 an hour, burst 5.
	SubmitLimit RateLimit
	// CodeLimit bounds wrong receipt codes per (salted) client address
	// (R-IN4). Zero means 5, then one more every 3 minutes.
	CodeLimit RateLimit
}

// ReportStore is the report service the portal, the intake pages and the
// partner API use.
type ReportStore interface {
	flare.ReportService
	// PartnerByKey returns the active partner whose API key is key.
	PartnerByKey(ctx context.Context, key string) (*flare.Partner, error)
	// ForwardTargets lists the agencies a report can be forwarded to.
	ForwardTargets(ctx context.Context) ([]*flare.Agency, error)
}

// EmergencyNumber is one number to call, with what it is.
type EmergencyNumber struct {
	Label  string
	Number string
}

// ParseEmergencyNumbers reads "Police=190,Labour hotline=0800 100" into
// numbers; a number may hold digits, spaces, + and -.
func ParseEmergencyNumbers(s string) ([]EmergencyNumber, error) {
	var out []EmergencyNumber
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		label, num, ok := strings.Cut(item, "=")
		label, num = strings.TrimSpace(label), strings.TrimSpace(num)
		if !ok || label == "" || num == "" || strings.Trim(num, "0123456789 +-") != "" {
			return nil, flare.FieldError("portal-emergency", "write LABEL=NUMBER pairs separated by commas")
		}
		out = append(out, EmergencyNumber{Label: label, Number: num})
	}
	return out, nil
}

// portal is the state of the public portal's handlers.
type portal struct {
	salt   *addrSalt
	submit *limiter
	codes  *limiter
}

func newPortal(cfg *PortalConfig) *portal {
	if cfg.SubmitLimit.Every <= 0 || cfg.SubmitLimit.Burst <= 0 {
		cfg.SubmitLimit = RateLimit{Every: 6 * time.Minute, Burst: 5}
	}
	if cfg.CodeLimit.Every <= 0 || cfg.CodeLimit.Burst <= 0 {
		cfg.CodeLimit = RateLimit{Every: 3 * time.Minute, Burst: 5}
	}
	return &portal{salt: newAddrSalt(time.Now), submit: newLimiter(cfg.SubmitLimit), codes: newLimiter(cfg.CodeLimit)}
}

// addrSalt turns a client address into a rate-limit key: an HMAC of the
// address under a random salt that lives only in memory and is replaced
// every UTC day, so the key cannot be turned back into an address, nor
// linked across days (R-IN1, issue #4 "a salt that rotates daily and is
// never written").
type addrSalt struct {
	mu   sync.Mutex
	now  func() time.Time
	day  string
	salt [32]byte
}

func newAddrSalt(now func() time.Time) *addrSalt { return &addrSalt{now: now} }

func (a *addrSalt) key(r *http.Request) string {
	a.mu.Lock()
	day := a.now().UTC().Format(time.DateOnly)
	if day != a.day {
		rand.Read(a.salt[:])
		a.day = day
	}
	m := hmac.New(sha256.New, a.salt[:])
	a.mu.Unlock()
	m.Write([]byte(clientKey(r)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// blocked reports, without taking a token, whether key has used up its
// budget, and how long until it has one again. The code limiter takes a
// token only for a wrong code, so a reporter who types their code right
// is never slowed, while the 6th wrong code in the window is refused and
// so is a right one after it, until the window passes (R-IN4).
func (l *limiter) blocked(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		return false, 0
	}
	now := l.now()
	if tokens := b.lim.TokensAt(now); tokens < 1 {
		return true, time.Duration((1 - tokens) * float64(l.limit.Every))
	}
	return false, 0
}

// portalRoute wraps a portal handler: the portal's own headers on every
// response, whatever the handler does.
func (s *Server) portalRoute(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Reports == nil {
			s.writeError(w, r, errNoRoute)
			return
		}
		hd := w.Header()
		// securityHeaders already sets these for every response; the
		// portal sets them again so that they hold even if that
		// middleware changes (R-IN2 is about the portal).
		hd.Set("Cache-Control", "no-store")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if !strings.Contains(hd.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		}
		if s.cfg.Portal.OnionLocation != "" {
			hd.Set("Onion-Location", s.cfg.Portal.OnionLocation+r.URL.Path)
		}
		h(w, r)
	}
}

// portalLimited refuses with 429 when the key has no budget left.
func (s *Server) portalLimited(w http.ResponseWriter, r *http.Request, ok bool, wait time.Duration, page string, view any) bool {
	if ok {
		return false
	}
	secs := int(wait/time.Second) + 1
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	s.render(w, r, http.StatusTooManyRequests, page, view)
	return true
}

// newFormToken draws the idempotency token of one form (R-IN6).
func newFormToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// PortalPage is what every portal page carries besides the layout's Page:
// the quick exit and the emergency numbers. Its title key is always the
// same neutral one (R-IN8).
type PortalPage struct {
	html.Page
	ExitURL   string
	Emergency []EmergencyNumber
}

func (s *Server) portalPage(r *http.Request) PortalPage {
	exit := s.cfg.Portal.ExitURL
	if exit == "" {
		exit = "https://www.wikipedia.org/"
	}
	return PortalPage{Page: s.cfg.Renderer.NewPage(r, "portal.title"), ExitURL: exit, Emergency: s.cfg.Portal.EmergencyNumbers}
}

// ReportFormView is the reporting form.
type ReportFormView struct {
	PortalPage
	Token         string
	Form          *flare.Report
	Sectors       []string
	Signs         []string
	Relationships []string
	ErrorKeys     []string
	Checked       map[string]bool
}

// ReceiptView is shown once after a submission.
type ReceiptView struct {
	PortalPage
	Receipt string
	Danger  bool
}

// CheckView is the follow-up page: the code form, or the status and the
// messages once a code opened a report.
type CheckView struct {
	PortalPage
	Code     string
	ErrorKey string
	View     *flare.ReporterView
	Sent     bool
}

func (s *Server) reportFormView(r *http.Request, form *flare.Report, token string) ReportFormView {
	if form == nil {
		form = &flare.Report{}
	}
	if token == "" {
		token = newFormToken()
	}
	v := ReportFormView{PortalPage: s.portalPage(r), Token: token, Form: form, Sectors: flare.Sectors(),
		Signs: flare.ReportSigns(), Relationships: flare.Relationships(), Checked: map[string]bool{}}
	for _, sg := range form.Signs {
		v.Checked[sg] = true
	}
	return v
}

func (s *Server) handleReportForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "portal_form", s.reportFormView(r, nil, ""))
}

// handleReportSubmit takes the form, and on success shows the receipt at
// the same address: no redirect, so the history holds no second, telling
// entry (R-IN8) and the receipt is never in a URL.
func (s *Server) handleReportSubmit(w http.ResponseWriter, r *http.Request) {
	key := s.portal.salt.key(r)
	if ok, wait := s.portal.submit.allow(key); !ok {
		v := s.reportFormView(r, nil, "")
		v.ErrorKeys = []string{"portal.error.too_many"}
		s.portalLimited(w, r, false, wait, "portal_form", v)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPortalBody)
	form, err := decodeReportForm(r.Header.Get("Content-Type"), r.Body)
	if err != nil {
		s.reportFormError(w, r, &flare.Report{}, "", err)
		return
	}
	form.Report.Channel, form.Report.Lang = flare.ChannelWeb, s.cfg.Renderer.Catalog().Choose(r).Code
	var atts []*flare.Attachment
	for _, f := range form.Files {
		a, err := sniffUpload(f)
		if err != nil {
			s.reportFormError(w, r, form.Report, form.Token, err)
			return
		}
		atts = append(atts, a)
	}
	danger := form.Report.Danger
	code, err := s.cfg.Reports.SubmitReport(r.Context(), flare.NewReport{Report: form.Report, Attachments: atts, Token: form.Token})
	if err != nil {
		s.reportFormError(w, r, form.Report, form.Token, err)
		return
	}
	s.render(w, r, http.StatusOK, "portal_receipt", ReceiptView{PortalPage: s.portalPage(r), Receipt: flare.FormatReceipt(code), Danger: danger})
}

// reportFormError shows the form again with what the reporter typed and
// plain words about what to fix. Internal errors go to the error page.
func (s *Server) reportFormError(w http.ResponseWriter, r *http.Request, form *flare.Report, token string, err error) {
	code := flare.ErrorCodeOf(err)
	if code == flare.EINTERNAL {
		s.writeError(w, r, err)
		return
	}
	v := s.reportFormView(r, form, token)
	v.ErrorKeys = portalErrorKeys(err)
	s.render(w, r, ErrorStatus(code), "portal_form", v)
}

// portalErrorKeys names the catalogue messages for an error's fields.
func portalErrorKeys(err error) []string {
	var keys []string
	for _, f := range []string{"text", "people", "sector", "relationship", "signs", "danger", "attachments", "country", "region", "town", "workplace", "contact"} {
		if _, ok := fieldOf(err, f); ok {
			keys = append(keys, "portal.error."+f)
		}
	}
	if len(keys) == 0 {
		keys = []string{"portal.error.invalid"}
	}
	return keys
}

func (s *Server) handleCheckForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "portal_check", CheckView{PortalPage: s.portalPage(r)})
}

// handleCheck opens a report with its receipt code, and sends the
// reporter's message if there is one. The code travels in the POST body
// only, never in a URL.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	v := CheckView{PortalPage: s.portalPage(r)}
	key := s.portal.salt.key(r)
	if blocked, wait := s.portal.codes.blocked(key); blocked {
		v.ErrorKey = "portal.error.too_many_codes"
		s.portalLimited(w, r, false, wait, "portal_check", v)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		v.ErrorKey = "portal.error.invalid"
		s.render(w, r, http.StatusBadRequest, "portal_check", v)
		return
	}
	code, body := r.PostForm.Get("code"), r.PostForm.Get("body")
	var err error
	if strings.TrimSpace(body) != "" {
		if err = s.cfg.Reports.ReporterMessage(r.Context(), code, body); err == nil {
			v.Sent = true
		}
	}
	if err == nil || flare.IsBadReceipt(err) {
		var view *flare.ReporterView
		if view, err = s.cfg.Reports.FollowUp(r.Context(), code); err == nil {
			v.View, v.Code = view, code
			s.render(w, r, http.StatusOK, "portal_status", v)
			return
		}
	}
	switch {
	case flare.IsBadReceipt(err):
		s.portal.codes.allow(key) // a wrong code takes a token
		v.ErrorKey = "portal.error.code"
		s.render(w, r, http.StatusNotFound, "portal_check", v)
	case flare.ErrorCodeOf(err) == flare.EINVALID:
		// A bad message with a good code: show the report again.
		view, ferr := s.cfg.Reports.FollowUp(r.Context(), code)
		if flare.IsBadReceipt(ferr) {
			s.portal.codes.allow(key)
			v.ErrorKey = "portal.error.code"
			s.render(w, r, http.StatusNotFound, "portal_check", v)
			return
		}
		if ferr != nil {
			s.writeError(w, r, ferr)
			return
		}
		v.View, v.Code, v.ErrorKey = view, code, "portal.error.message"
		s.render(w, r, http.StatusBadRequest, "portal_status", v)
	default:
		s.writeError(w, r, err)
	}
}

func (s *Server) handleRights(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "portal_rights", s.portalPage(r))
}
