-- +goose Up
-- The audit log (package audit): one row per entry, seq from 0 with no
-- gaps, and the RFC 6962 Merkle tree hashes each append stores, at their
-- tlog stored-hash index. Both tables are append-only: the triggers below
-- refuse UPDATE and DELETE, and "flare audit verify" catches whoever gets
-- round them.
CREATE TABLE audit_entries (
    seq           INTEGER PRIMARY KEY CHECK (seq >= 0),
    at            DATETIME NOT NULL,
    user_id       TEXT NOT NULL,
    agency_id     TEXT NOT NULL,
    console       INTEGER NOT NULL CHECK (console IN (0, 1)),
    session_id    TEXT NOT NULL,
    action        TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    record_type   TEXT NOT NULL,
    record_id     TEXT NOT NULL,
    case_id       TEXT NOT NULL,
    -- field names only, comma-separated; never values
    fields        TEXT NOT NULL,
    justification TEXT NOT NULL
);

CREATE INDEX audit_entries_case ON audit_entries (case_id, seq);
CREATE INDEX audit_entries_record ON audit_entries (record_type, record_id, seq);
CREATE INDEX audit_entries_user ON audit_entries (user_id, seq);

CREATE TABLE audit_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
);

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_hashes_no_update BEFORE UPDATE ON audit_hashes
BEGIN
    SELECT RAISE(ABORT, 'audit_hashes is append-only: UPDATE refused');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER audit_hashes_no_delete BEFORE DELETE ON audit_hashes
BEGIN
    SELECT RAISE(ABORT, 'audit_hashes is append-only: DELETE refused');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER audit_hashes_no_delete;
DROP TRIGGER audit_hashes_no_update;
DROP TRIGGER audit_entries_no_delete;
DROP TRIGGER audit_entries_no_update;
DROP TABLE audit_hashes;
DROP TABLE audit_entries;
