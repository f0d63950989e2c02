-- +goose Up
-- Protection of presumed victims (issue #6): the services delivered to them
-- and their protection periods. The free text (a service's outcome, which
-- may hold medical detail; a permit's reference; an extension's reason) is
-- sealed under the person's data key, so erasing the person erases it too;
-- kinds and dates stay in plaintext, for the "ending soon" list and
-- statistics.
CREATE TABLE protection_services (
    id                 UUID PRIMARY KEY,
    case_id            UUID NOT NULL REFERENCES cases (id),
    person_id          UUID NOT NULL REFERENCES persons (id),
    kind               TEXT NOT NULL,
    agency_id          UUID REFERENCES agencies (id),
    provider           TEXT NOT NULL DEFAULT '',
    started_on         DATE NOT NULL,
    ended_on           DATE,
    outcome            BYTEA NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_agency_id UUID NOT NULL REFERENCES agencies (id),
    recorded_at        TIMESTAMPTZ NOT NULL,
    version            INTEGER NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX protection_services_person ON protection_services (person_id, started_on);

-- ends_on is the current end: the last extension's, kept here in the same
-- transaction as the extension, so the "ending soon" list reads one index.
CREATE TABLE protection_periods (
    id                 UUID PRIMARY KEY,
    case_id            UUID NOT NULL REFERENCES cases (id),
    person_id          UUID NOT NULL REFERENCES persons (id),
    kind               TEXT NOT NULL,
    agency_id          UUID NOT NULL REFERENCES agencies (id),
    starts_on          DATE NOT NULL,
    initial_ends_on    DATE NOT NULL,
    ends_on            DATE NOT NULL,
    reference          BYTEA NOT NULL,
    recorded_by        TEXT NOT NULL,
    recorded_agency_id UUID NOT NULL REFERENCES agencies (id),
    recorded_at        TIMESTAMPTZ NOT NULL,
    version            INTEGER NOT NULL
);
CREATE INDEX protection_periods_person ON protection_periods (person_id, kind, starts_on);
CREATE INDEX protection_periods_ending ON protection_periods (agency_id, ends_on);

-- Extensions are appended, never changed: the history of a period.
CREATE TABLE protection_extensions (
    period_id   UUID NOT NULL REFERENCES protection_periods (id),
    seq         INTEGER NOT NULL,
    ends_on     DATE NOT NULL,
    reason      BYTEA NOT NULL,
    extended_by TEXT NOT NULL,
    agency_id   UUID NOT NULL REFERENCES agencies (id),
    extended_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (period_id, seq)
);

-- +goose Down
DROP TABLE protection_extensions;
DROP TABLE protection_periods;
DROP TABLE protection_services;
