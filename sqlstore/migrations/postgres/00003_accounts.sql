-- +goose Up
CREATE TABLE users (
    id                  UUID PRIMARY KEY,
    agency_id           UUID NOT NULL REFERENCES agencies (id),
    email               TEXT NOT NULL UNIQUE,
    roles               TEXT NOT NULL,
    password_hash       TEXT,
    totp_secret         TEXT,
    totp_last_step      BIGINT NOT NULL DEFAULT 0,
    enrol_token_hash    TEXT UNIQUE,
    enrol_expires_at    TIMESTAMPTZ,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_at           TIMESTAMPTZ,
    disabled_at         TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    user_id        UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    second_factor  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL,
    last_seen_at   TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE recovery_codes;
DROP TABLE users;
