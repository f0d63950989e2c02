-- +goose Up
-- Casework (issue #5): why a case closed, where it is handled, who works it.
ALTER TABLE cases ADD COLUMN closure_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN region TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN assigned_to UUID; -- a user of the case's agency, checked by the case service
CREATE INDEX cases_agency_region ON cases (agency_id, region);
CREATE INDEX cases_assigned ON cases (assigned_to);
CREATE INDEX cases_agency_status ON cases (agency_id, status);

-- Idempotency keys of API writes (security checklist R-CC2): the first
-- request with a key stores its response; a retry with the same key and
-- payload gets that response again instead of a second effect.
CREATE TABLE idempotency_keys (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash BYTEA NOT NULL,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    etag         TEXT NOT NULL DEFAULT '',
    location     TEXT NOT NULL DEFAULT '',
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP INDEX cases_agency_status;
DROP INDEX cases_assigned;
DROP INDEX cases_agency_region;
ALTER TABLE cases DROP COLUMN assigned_to;
ALTER TABLE cases DROP COLUMN region;
ALTER TABLE cases DROP COLUMN closure_reason;
