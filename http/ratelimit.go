package http

import (
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/flare-ilo/flare"
)

// RateLimit is a token bucket: Burst requests at once, refilled at Every.
type RateLimit struct {
	Every time.Duration
	Burst int
}

// limiter keeps one token bucket per key, in memory. Keys are client
// addresses for staff sign-in; nothing here is written to disk or logs.
// Each instance limits on its own: with N instances a client gets up to N
// times the budget, which the per-account lockout (in the database) caps.
type limiter struct {
	mu      sync.Mutex
	limit   RateLimit
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(l RateLimit) *limiter {
	return &limiter{limit: l, buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token for key, and returns how long to wait if there is none.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.buckets) > 10000 {
		l.prune(now)
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// prune forgets buckets that have refilled completely.
func (l *limiter) prune(now time.Time) {
	full := l.limit.Every * time.Duration(l.limit.Burst)
	for k, b := range l.buckets {
		if now.Sub(b.seen) > full {
			delete(l.buckets, k)
		}
	}
}

// clientKey is the client's address without its port. It is used only as
// an in-memory map key.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// rateLimited wraps h with the limiter, answering 429 with Retry-After.
func (s *Server) rateLimited(l *limiter, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if ok, wait := l.allow(clientKey(r)); !ok {
			secs := int(wait/time.Second) + 1
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			s.writeErrorStatus(w, r, http.StatusTooManyRequests,
				flare.Errorf(flare.EFORBIDDEN, "too many attempts; wait %d seconds and try again", secs))
			return
		}
		h(w, r)
	}
}
