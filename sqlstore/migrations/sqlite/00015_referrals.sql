-- +goose Up
-- Referrals between agencies (issue #6): what is shared and on which
-- legal basis travels with the referral, and becomes a case grant when
-- the receiving agency accepts.
CREATE TABLE referrals (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    from_agency_id   TEXT NOT NULL REFERENCES agencies (id),
    to_agency_id     TEXT NOT NULL REFERENCES agencies (id),
    purpose          TEXT NOT NULL,
    urgent           BOOLEAN NOT NULL,
    access           TEXT NOT NULL,
    person_ids       TEXT NOT NULL DEFAULT '',
    field_groups     TEXT NOT NULL DEFAULT '',
    legal_basis      TEXT NOT NULL,
    reference        TEXT NOT NULL,
    consent_given_on DATE,
    consent_scope    TEXT NOT NULL DEFAULT '',
    expires_on       DATE,
    due_on           DATE NOT NULL,
    status           TEXT NOT NULL,
    decline_reason   TEXT NOT NULL DEFAULT '',
    decided_by       TEXT,
    decided_at       DATETIME,
    grant_id         TEXT REFERENCES case_grants (id),
    sent_by          TEXT NOT NULL,
    created_at       DATETIME NOT NULL
);
CREATE INDEX referrals_to ON referrals (to_agency_id, status, due_on);
CREATE INDEX referrals_from ON referrals (from_agency_id, status, due_on);

-- +goose Down
DROP TABLE referrals;
