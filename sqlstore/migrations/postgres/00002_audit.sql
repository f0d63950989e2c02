-- +goose Up
-- The audit log (package audit): one row per entry, seq from 0 with no
-- gaps, and the RFC 6962 Merkle tree hashes each append stores, at their
-- tlog stored-hash index. Both tables are append-only: the triggers below
-- refuse UPDATE, DELETE and TRUNCATE, and "flare audit verify" catches
-- whoever gets round them. Identifiers are TEXT, not UUID, so that what
-- was hashed is exactly what is read back.
CREATE TABLE audit_entries (
    seq           BIGINT PRIMARY KEY CHECK (seq >= 0),
    at            TIMESTAMPTZ NOT NULL,
    user_id       TEXT NOT NULL,
    agency_id     TEXT NOT NULL,
    console       BOOLEAN NOT NULL,
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
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA NOT NULL CHECK (octet_length(hash) = 32)
);

-- +goose StatementBegin
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_hashes_append_only BEFORE UPDATE OR DELETE ON audit_hashes
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_hashes_no_truncate BEFORE TRUNCATE ON audit_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- +goose Down
DROP TABLE audit_hashes;
DROP TABLE audit_entries;
DROP FUNCTION audit_refuse_change();
