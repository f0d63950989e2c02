package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// middleware wraps the routes, outermost first: request id, recovery (so a
// panic still gets a logged 500), access log and metrics, security headers,
// cross-origin protection for every state-changing request, then the
// session.
func (s *Server) middleware(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, errCrossOrigin)
	}))
	h = s.idempotency(h)
	h = s.authenticate(h)
	h = cop.Handler(h)
	h = securityHeaders(h, s.cfg.SecureCookies)
	h = s.observe(h)
	h = s.recoverPanic(h)
	return requestID(h)
}

type requestIDKey struct{}

// RequestIDFrom returns the id of the request in ctx ("" outside a request).
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestID gives every request a fresh random id, returned in X-Request-Id
// and written to every log line about it. An id sent by the client is
// ignored: it could be used to plant text in logs or to track a reporter.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [12]byte
		rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe writes the access log and the metrics. The access log records the
// method, the path without its query, the status, the size, the duration and
// the request id. It never records the client address or user agent:
// anonymous reporters use this server (security checklist R-IN1).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		s.metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
		s.logger.LogAttrs(r.Context(), levelFor(rec.status), "request",
			slog.String("request_id", RequestIDFrom(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", logPath(r)),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		)
	})
}

// logPath is the route pattern for routes with wildcards, so that ids and
// tokens in paths stay out of the log, and the literal path otherwise. The
// query string is never logged.
func logPath(r *http.Request) string {
	if _, pattern, ok := strings.Cut(r.Pattern, " "); ok && strings.Contains(strings.ReplaceAll(pattern, "{$}", ""), "{") {
		return pattern
	}
	if len(r.URL.Path) > 200 {
		return r.URL.Path[:200] + "..."
	}
	return r.URL.Path
}

// recoverPanic turns a panic in a handler into a logged 500, so one bad
// request never takes the server down or shows a stack trace to a user.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic in handler", "request_id", RequestIDFrom(r.Context()), "panic", v)
				s.writeError(w, r, errPanic)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every response carries: a strict content
// security policy with no inline script and no framing, no MIME sniffing, no
// referrer, no camera, microphone or location, and no caching of pages,
// which may hold personal data (security checklist R-IN2). Static assets set
// their own long-lived Cache-Control. Behind TLS (the request came over TLS,
// or the operator says a TLS proxy fronts the server) browsers are told to
// use HTTPS only for a year.
func securityHeaders(next http.Handler, behindTLS bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if r.TLS != nil || behindTLS {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// levelFor logs server errors as errors and everything else as info.
func levelFor(status int) slog.Level {
	if status >= http.StatusInternalServerError {
		return slog.LevelError
	}
	return slog.LevelInfo
}
