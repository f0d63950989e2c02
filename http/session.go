package http

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
)

// SessionCookie holds a staff session token. Pending sign-ins (password
// given, second factor not yet) use PendingCookie, so a half-signed-in
// browser never carries a cookie that opens anything else.
const (
	SessionCookie = "flare_session"
	PendingCookie = "flare_pending"
)

type userKey struct{}

// userFrom returns the signed-in user of a request, if any.
func userFrom(ctx context.Context) (*flare.User, bool) {
	u, ok := ctx.Value(userKey{}).(*flare.User)
	return u, ok
}

// authenticate resolves the session cookie into a user and puts the user,
// and the Actor the services check, into the request context. A request
// without a valid session goes on anonymously; requireUser guards the
// routes that need one.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		if err != nil || c.Value == "" || s.cfg.Accounts == nil {
			next.ServeHTTP(w, r)
			return
		}
		u, sess, err := s.cfg.Accounts.Authenticate(r.Context(), c.Value)
		if err != nil || !sess.SecondFactor {
			if flare.ErrorCodeOf(err) == flare.EINTERNAL {
				s.writeError(w, r, err)
				return
			}
			s.clearCookie(w, r, SessionCookie)
			next.ServeHTTP(w, r)
			return
		}
		actor := u.Actor()
		actor.SessionID = sess.ID
		ctx := context.WithValue(r.Context(), userKey{}, u)
		ctx = flare.WithActor(ctx, actor)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireUser lets signed-in users through. Others get 401 with a JSON
// error on the API and are sent to the sign-in page from a page.
func (s *Server) requireUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := userFrom(r.Context()); ok {
			h(w, r)
			return
		}
		if wantsJSON(r) {
			s.writeError(w, r, flare.Errorf(flare.EUNAUTHORIZED, "sign in first: this endpoint needs a session"))
			return
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// setCookie sets a session-type cookie: HttpOnly, SameSite=Lax, Secure
// behind TLS, no Max-Age so it dies with the browser; the server-side
// timeouts decide the real lifetime.
func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, Expires: time.Unix(0, 0),
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// secure reports whether cookies must be Secure: the request came over TLS,
// or the operator says a TLS proxy fronts the server.
func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

// safeNext returns a local path to go to after sign-in, refusing anything
// that could lead off the site (open redirect).
func safeNext(next string) string { return localPath(next, "/app") }

// localPath returns p when it is a path on this site, else fallback: a
// redirect target taken from a form never leads to another host.
func localPath(p, fallback string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return fallback
	}
	return p
}
