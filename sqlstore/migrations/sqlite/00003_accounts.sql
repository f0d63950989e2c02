-- +goose Up
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    agency_id           TEXT NOT NULL REFERENCES agencies (id),
    email               TEXT NOT NULL UNIQUE,
    roles               TEXT NOT NULL,
    password_hash       TEXT,
    totp_secret         TEXT,
    totp_last_step      INTEGER NOT NULL DEFAULT 0,
    enrol_token_hash    TEXT UNIQUE,
    enrol_expires_at    DATETIME,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_at           DATETIME,
    disabled_at         DATETIME,
    created_at          DATETIME NOT NULL
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    used_at    DATETIME,
    PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    second_factor  INTEGER NOT NULL DEFAULT 0,
    created_at     DATETIME NOT NULL,
    last_seen_at   DATETIME NOT NULL,
    expires_at     DATETIME NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);

-- +goose Down
DROP TABLE sessions;
DROP TABLE recovery_codes;
DROP TABLE users;
