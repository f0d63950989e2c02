package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/flare-ilo/flare"
)

// IdempotencyStore keeps the responses of API writes sent with an
// Idempotency-Key (security checklist R-CC2), in the database so that any
// instance answers a retry: the same key and payload get the first
// response again, and never a second effect.
type IdempotencyStore struct {
	db *DB
	// ttl is how long a key is remembered; poll is how often a retry
	// looks whether the first request finished.
	ttl, poll, wait time.Duration
}

// NewIdempotencyStore returns the store on db. Keys are remembered for 24
// hours; a retry waits up to 30 s for the first request to finish.
func NewIdempotencyStore(db *DB) *IdempotencyStore {
	return &IdempotencyStore{db: db, ttl: 24 * time.Hour, poll: 20 * time.Millisecond, wait: 30 * time.Second}
}

// StoredResponse is the response the first request with a key received.
type StoredResponse struct {
	Status                      int
	ContentType, ETag, Location string
	Body                        []byte
}

// ErrIdempotencyMismatch is returned when a key is reused with another
// payload; HTTP answers it with 422.
var ErrIdempotencyMismatch = &flare.Error{Code: flare.EINVALID, Message: "this Idempotency-Key was used for another request: use a new key for a new request",
	Fields: map[string]string{"Idempotency-Key": "used for another request"}}

// Begin claims key for userID. It returns (nil, nil) when the caller is
// first and must run the request then call Finish or Abandon; the stored
// response when a request with the same key and payload already finished;
// ErrIdempotencyMismatch when the payload differs. A retry that arrives
// while the first request runs waits for it.
func (s *IdempotencyStore) Begin(ctx context.Context, userID, key string, requestHash []byte) (*StoredResponse, error) {
	deadline := time.Now().Add(s.wait)
	for {
		now := s.db.now().UTC()
		res, err := s.db.sql.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, key) DO NOTHING`, userID, key, requestHash, now)
		if err != nil {
			return nil, fmt.Errorf("claim idempotency key: %w", s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return nil, fmt.Errorf("claim idempotency key: %w", err)
		} else if n == 1 {
			return nil, nil
		}
		var hash []byte
		var created time.Time
		var r StoredResponse
		err = s.db.sql.QueryRowContext(ctx, `SELECT request_hash, status, content_type, etag, location, body, created_at
			FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).
			Scan(&hash, &r.Status, &r.ContentType, &r.ETag, &r.Location, &r.Body, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue // abandoned between our insert and select: claim again
		case err != nil:
			return nil, fmt.Errorf("read idempotency key: %w", s.db.dialect.translate(err))
		case !bytes.Equal(hash, requestHash):
			return nil, ErrIdempotencyMismatch
		case r.Status != 0 && now.Sub(created) < s.ttl:
			return &r, nil
		case r.Status != 0:
			// Expired: forget it and claim afresh.
			if _, err := s.db.sql.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key); err != nil {
				return nil, fmt.Errorf("expire idempotency key: %w", s.db.dialect.translate(err))
			}
			continue
		}
		if time.Now().After(deadline) {
			return nil, flare.Errorf(flare.ECONFLICT, "a request with this Idempotency-Key is still running: retry later")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(s.poll):
		}
	}
}

// Finish stores the response of the request that claimed key, for its
// retries, and forgets the user's keys older than the retention.
func (s *IdempotencyStore) Finish(ctx context.Context, userID, key string, r StoredResponse) error {
	body := r.Body
	if body == nil {
		body = []byte{}
	}
	_, err := s.db.sql.ExecContext(ctx, `UPDATE idempotency_keys SET status = $3, content_type = $4, etag = $5, location = $6, body = $7
		WHERE user_id = $1 AND key = $2`, userID, key, r.Status, r.ContentType, r.ETag, r.Location, body)
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", s.db.dialect.translate(err))
	}
	_, err = s.db.sql.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND created_at < $2 AND status <> 0`,
		userID, s.db.now().UTC().Add(-s.ttl))
	if err != nil {
		return fmt.Errorf("forget old idempotency keys: %w", s.db.dialect.translate(err))
	}
	return nil
}

// Abandon releases a key whose request failed without a definite answer
// (a server error), so that a retry runs the request again.
func (s *IdempotencyStore) Abandon(ctx context.Context, userID, key string) error {
	_, err := s.db.sql.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0`, userID, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", s.db.dialect.translate(err))
	}
	return nil
}
