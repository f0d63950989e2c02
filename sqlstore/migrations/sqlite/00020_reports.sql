-- +goose Up
-- Public reporting portal (issue #4). Sealed columns hold AES-GCM
-- ciphertext under the report's own data key (data_keys, owner "report");
-- the columns the intake queue sorts and filters on stay in clear.
CREATE TABLE partners (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE, -- SHA-256 of the API key; the key itself is shown once
    created_at  DATETIME NOT NULL,
    disabled_at DATETIME
);

CREATE TABLE reports (
    id                TEXT PRIMARY KEY,
    status            TEXT NOT NULL,
    channel           TEXT NOT NULL,
    partner_id        TEXT REFERENCES partners (id),
    lang              TEXT NOT NULL DEFAULT '',
    country           TEXT NOT NULL DEFAULT '',
    region            TEXT NOT NULL DEFAULT '',
    sector            TEXT NOT NULL DEFAULT '',
    people            INTEGER NOT NULL DEFAULT 0,
    danger            BOOLEAN NOT NULL DEFAULT 0,
    signs             TEXT NOT NULL DEFAULT '',
    urgency           INTEGER NOT NULL DEFAULT 0,
    text_sealed       BLOB NOT NULL,
    details_sealed    BLOB NOT NULL,
    agency_id         TEXT REFERENCES agencies (id),
    assigned_to       TEXT,
    duplicate_of      TEXT,
    case_id           TEXT,
    receipt_lookup    TEXT,
    receipt_hash      TEXT,
    receipt_active_at DATETIME,
    token_hash        TEXT NOT NULL UNIQUE,
    receipt_box       BLOB,
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX reports_queue ON reports (agency_id, urgency DESC, created_at);
CREATE INDEX reports_receipt ON reports (receipt_lookup);
CREATE INDEX reports_retention ON reports (created_at) WHERE case_id IS NULL;

CREATE TABLE report_messages (
    id          TEXT PRIMARY KEY,
    report_id   TEXT NOT NULL REFERENCES reports (id),
    from_staff  BOOLEAN NOT NULL,
    author_id   TEXT,
    body_sealed BLOB NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, created_at);

CREATE TABLE report_attachments (
    id           TEXT PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports (id),
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    data_sealed  BLOB NOT NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);

-- +goose Down
DROP TABLE report_attachments;
DROP TABLE report_messages;
DROP TABLE reports;
DROP TABLE partners;
