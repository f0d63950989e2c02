-- +goose Up
CREATE TABLE case_grants (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    agency_id         TEXT NOT NULL REFERENCES agencies (id),
    access            TEXT NOT NULL,
    person_ids        TEXT NOT NULL DEFAULT '',
    legal_basis       TEXT NOT NULL,
    reference         TEXT NOT NULL,
    consent_given_on  DATE,
    consent_scope     TEXT NOT NULL DEFAULT '',
    expires_on        DATE,
    granted_by        TEXT NOT NULL,
    created_at        DATETIME NOT NULL,
    revoked_at        DATETIME
);

CREATE INDEX case_grants_case ON case_grants (case_id);
CREATE INDEX case_grants_agency ON case_grants (agency_id, revoked_at);

-- +goose Down
DROP TABLE case_grants;
