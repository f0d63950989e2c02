-- +goose Up
-- People in a case (issue #5). The identity group (names, birthdate,
-- contact, identity documents) is sealed under the person's own data key
-- (data_keys, owner type "person"), each column bound to its table, column
-- and row; the profile group is plaintext, for casework and statistics.
CREATE TABLE persons (
    id                 UUID PRIMARY KEY,
    case_id            UUID NOT NULL REFERENCES cases (id),
    role               TEXT NOT NULL,
    first_name         BYTEA NOT NULL,
    middle_name        BYTEA NOT NULL,
    second_name        BYTEA NOT NULL,
    birthdate          BYTEA NOT NULL,
    contact            BYTEA NOT NULL,
    identity_documents BYTEA NOT NULL,
    gender             TEXT NOT NULL DEFAULT '',
    age_years          INTEGER,
    age_estimated      BOOLEAN NOT NULL DEFAULT FALSE,
    citizenship        TEXT NOT NULL DEFAULT '',
    primary_language   TEXT NOT NULL DEFAULT '',
    secondary_language TEXT NOT NULL DEFAULT '',
    victim_stage       TEXT NOT NULL DEFAULT '',
    victim_status      TEXT NOT NULL DEFAULT '',
    version            BIGINT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_case ON persons (case_id, created_at);

-- The blind index of people's names: one row per keyed-HMAC token of a
-- person's names (vault.BlindIndex, field "person.name"), rewritten when
-- the names change. The case list's name search joins on (token, case_id).
CREATE TABLE person_name_tokens (
    person_id UUID NOT NULL REFERENCES persons (id),
    case_id   UUID NOT NULL REFERENCES cases (id),
    token     TEXT NOT NULL,
    PRIMARY KEY (person_id, token)
);
CREATE INDEX person_name_tokens_token ON person_name_tokens (token, case_id);

-- A grant may cover only some field groups of the people (issue #3:
-- "named people and fields"); empty is every group.
ALTER TABLE case_grants ADD COLUMN field_groups TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE case_grants DROP COLUMN field_groups;
DROP TABLE person_name_tokens;
DROP TABLE persons;
