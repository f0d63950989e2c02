-- +goose Up
-- One data key per record (person, report), stored only wrapped by a key in
-- the key ring outside the database. A destroyed key keeps its row as a
-- tombstone, with no key material, so that its shred slot is never reused.
CREATE TABLE data_keys (
    owner_type   TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    wrapped_dek  BYTEA,
    kek_id       TEXT,
    shred_slot   BIGINT NOT NULL UNIQUE CHECK (shred_slot BETWEEN 0 AND 4294967295),
    created_at   TIMESTAMPTZ NOT NULL,
    rewrapped_at TIMESTAMPTZ,
    destroyed_at TIMESTAMPTZ,
    PRIMARY KEY (owner_type, owner_id),
    CHECK ((destroyed_at IS NULL AND wrapped_dek IS NOT NULL AND kek_id IS NOT NULL)
        OR (destroyed_at IS NOT NULL AND wrapped_dek IS NULL AND kek_id IS NULL))
);

CREATE INDEX data_keys_kek ON data_keys (kek_id);

-- +goose Down
DROP TABLE data_keys;
