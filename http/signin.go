package http

import (
	"net/http"
	"net/url"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/html"
)

// maxFormBytes bounds every form body; sign-in forms are tiny.
const maxFormBytes = 16 << 10

func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, flare.Errorf(flare.EINVALID, "the form could not be read"))
		return false
	}
	return true
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, view any) {
	if err := s.cfg.Renderer.Render(w, r, status, page, view); err != nil {
		s.writeError(w, r, err)
	}
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) {
	view := html.SignInView{Page: s.cfg.Renderer.NewPage(r, "signin.title"), Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "signin", view)
}

// handleSignIn checks email and password. Success sets only the pending
// cookie and sends the browser to the second-factor step.
func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	email := r.PostForm.Get("email")
	pending, err := s.cfg.Accounts.SignIn(r.Context(), email, r.PostForm.Get("password"))
	if err != nil {
		code := flare.ErrorCodeOf(err)
		if code == flare.EINTERNAL {
			s.writeError(w, r, err)
			return
		}
		msg := "signin.failed"
		if code == flare.EFORBIDDEN {
			msg = "signin.locked"
		}
		view := html.SignInView{Page: s.cfg.Renderer.NewPage(r, "signin.title"), Next: next, Email: email, ErrorKey: msg}
		s.render(w, r, ErrorStatus(code), "signin", view)
		return
	}
	s.setCookie(w, r, PendingCookie, pending)
	http.Redirect(w, r, "/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
}

func (s *Server) handleCodeForm(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(PendingCookie); err != nil || c.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	view := html.SignInView{Page: s.cfg.Renderer.NewPage(r, "signin.title"), Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, http.StatusOK, "signin_code", view)
}

// handleCode checks the second factor and swaps the pending cookie for a
// new session cookie.
func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	c, err := r.Cookie(PendingCookie)
	if err != nil || c.Value == "" {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	token, err := s.cfg.Accounts.CompleteSignIn(r.Context(), c.Value, r.PostForm.Get("code"))
	if err != nil {
		code := flare.ErrorCodeOf(err)
		switch code {
		case flare.EINTERNAL:
			s.writeError(w, r, err)
		case flare.EUNAUTHORIZED, flare.EFORBIDDEN:
			if _, ok := fieldOf(err, "code"); !ok {
				// The pending session ended or the account was locked:
				// start again.
				s.clearCookie(w, r, PendingCookie)
				view := html.SignInView{Page: s.cfg.Renderer.NewPage(r, "signin.title"), Next: next, ErrorKey: "signin.start_again"}
				s.render(w, r, ErrorStatus(code), "signin", view)
				return
			}
			view := html.SignInView{Page: s.cfg.Renderer.NewPage(r, "signin.title"), Next: next, ErrorKey: "signin.code_wrong"}
			s.render(w, r, http.StatusUnauthorized, "signin_code", view)
		default:
			s.writeError(w, r, err)
		}
		return
	}
	s.clearCookie(w, r, PendingCookie)
	s.setCookie(w, r, SessionCookie, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.cfg.Accounts.SignOut(r.Context(), c.Value); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	s.clearCookie(w, r, SessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleSignOutEverywhere ends every session of the user: the phone left in
// a taxi as well as this browser.
func (s *Server) handleSignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r.Context())
	if err := s.cfg.Accounts.SignOutEverywhere(r.Context(), u.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.clearCookie(w, r, SessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) handleEnrolForm(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.Accounts.Enrolment(r.Context(), r.PathValue("token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.EnrolView{Page: s.cfg.Renderer.NewPage(r, "enrol.title"), Email: e.User.Email,
		Token: r.PathValue("token"), Secret: e.TOTPSecret}
	s.render(w, r, http.StatusOK, "enrol", view)
}

// handleEnrolQR serves the QR code as an image of its own, since the
// content security policy allows no data: URLs.
func (s *Server) handleEnrolQR(w http.ResponseWriter, r *http.Request) {
	e, err := s.cfg.Accounts.Enrolment(r.Context(), r.PathValue("token"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	png, err := auth.TOTPKey{Secret: e.TOTPSecret, URL: e.TOTPURL}.QRPNG(240)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	token := r.PathValue("token")
	e, err := s.cfg.Accounts.Enrolment(r.Context(), token)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	view := html.EnrolView{Page: s.cfg.Renderer.NewPage(r, "enrol.title"), Email: e.User.Email, Token: token, Secret: e.TOTPSecret}
	if r.PostForm.Get("password") != r.PostForm.Get("password2") {
		view.ErrorKey = "enrol.mismatch"
		s.render(w, r, http.StatusBadRequest, "enrol", view)
		return
	}
	codes, err := s.cfg.Accounts.CompleteEnrolment(r.Context(), token, r.PostForm.Get("password"), r.PostForm.Get("code"))
	if err != nil {
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			s.writeError(w, r, err)
			return
		}
		view.ErrorKey = "enrol.code_wrong"
		if key, ok := fieldOf(err, "password"); ok {
			view.ErrorKey = key
		}
		s.render(w, r, http.StatusBadRequest, "enrol", view)
		return
	}
	done := html.EnrolDoneView{Page: s.cfg.Renderer.NewPage(r, "enrol.title"), RecoveryCodes: codes}
	s.render(w, r, http.StatusOK, "enrol_done", done)
}
