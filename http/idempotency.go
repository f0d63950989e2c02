package http

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// IdempotencyStore remembers the responses of API writes sent with an
// Idempotency-Key header (security checklist R-CC2).
type IdempotencyStore interface {
	Begin(ctx context.Context, userID, key string, requestHash []byte) (*sqlstore.StoredResponse, error)
	Finish(ctx context.Context, userID, key string, r sqlstore.StoredResponse) error
	Abandon(ctx context.Context, userID, key string) error
}

// maxIdempotentBody bounds the request body read to fingerprint it; it is
// above every route's own limit, which still applies.
const maxIdempotentBody = 64 << 20

// idempotency makes a signed-in user's API write with an Idempotency-Key
// happen once: retries with the same key and payload (also in parallel, on
// any instance) get the first response again, byte for byte; the same key
// with another payload is 422. Without the header nothing changes.
//
// The response is stored after the handler commits its effect, so a crash
// between the two leaves the key claimed without a response; a retry then
// waits and gets 409 rather than risk a second effect.
func (s *Server) idempotency(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		u, signedIn := userFrom(r.Context())
		if key == "" || !signedIn || s.cfg.Idempotency == nil || !strings.HasPrefix(r.URL.Path, "/api/") ||
			r.Method == http.MethodGet || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 || strings.IndexFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
			s.writeError(w, r, flare.FieldError("Idempotency-Key", "must be 1 to 255 printable ASCII characters"))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxIdempotentBody))
		if err != nil {
			s.writeErrorStatus(w, r, http.StatusRequestEntityTooLarge, flare.Errorf(flare.EINVALID, "the request body is too large"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		for _, part := range []string{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), r.Header.Get("If-Match")} {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		h.Write(body)
		stored, err := s.cfg.Idempotency.Begin(r.Context(), u.ID, key, h.Sum(nil))
		switch {
		case errors.Is(err, sqlstore.ErrIdempotencyMismatch):
			s.writeErrorStatus(w, r, http.StatusUnprocessableEntity, err)
			return
		case err != nil:
			s.writeError(w, r, err)
			return
		case stored != nil:
			replay(w, stored)
			return
		}
		rec := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		ctx := context.WithoutCancel(r.Context())
		if rec.status >= 500 {
			if err := s.cfg.Idempotency.Abandon(ctx, u.ID, key); err != nil {
				s.logger.Error("release idempotency key", "request_id", RequestIDFrom(ctx), "error", err.Error())
			}
			return
		}
		resp := sqlstore.StoredResponse{Status: rec.status, ContentType: w.Header().Get("Content-Type"),
			ETag: w.Header().Get("ETag"), Location: w.Header().Get("Location"), Body: rec.body.Bytes()}
		if err := s.cfg.Idempotency.Finish(ctx, u.ID, key, resp); err != nil {
			s.logger.Error("store idempotent response", "request_id", RequestIDFrom(ctx), "error", err.Error())
		}
	})
}

// replay writes a stored response again.
func replay(w http.ResponseWriter, r *sqlstore.StoredResponse) {
	for name, v := range map[string]string{"Content-Type": r.ContentType, "ETag": r.ETag, "Location": r.Location} {
		if v != "" {
			w.Header().Set(name, v)
		}
	}
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(r.Status)
	w.Write(r.Body)
}

// recordingWriter passes a response through and keeps a copy.
type recordingWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (w *recordingWriter) WriteHeader(status int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
