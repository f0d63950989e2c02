-- +goose Up
-- Enforcement records (issue #6): inspections of worksites and
-- administrative, criminal and civil proceedings, with their outcomes and
-- penalties. Stages, outcomes and penalties are plaintext codes and
-- numbers, for the prosecution statistics; the findings of an inspection
-- and the notes of penalties can name people, so they are sealed under the
-- record's own data key (owner types "inspection" and "proceeding").
CREATE TABLE inspections (
    id                  TEXT PRIMARY KEY,
    case_id             TEXT NOT NULL REFERENCES cases (id),
    worksite_id         TEXT NOT NULL REFERENCES worksites (id),
    agency_id           TEXT NOT NULL REFERENCES agencies (id),
    kind                TEXT NOT NULL,
    visited_on          DATE NOT NULL,
    inspector_ids       TEXT NOT NULL DEFAULT '',   -- comma-separated user ids
    inspector_names     TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    findings            BLOB NOT NULL,
    workers_interviewed INTEGER NOT NULL CHECK (workers_interviewed >= 0),
    orders              TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    recorded_by         TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE INDEX inspections_case ON inspections (case_id, visited_on);
CREATE INDEX inspections_worksite ON inspections (worksite_id);

-- The screenings of the workers met during an inspection.
CREATE TABLE inspection_screenings (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    PRIMARY KEY (inspection_id, assessment_id)
);
CREATE INDEX inspection_screenings_assessment ON inspection_screenings (assessment_id);

CREATE TABLE proceedings (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    kind        TEXT NOT NULL,
    stage       TEXT NOT NULL,
    reference   TEXT NOT NULL,
    opened_on   DATE NOT NULL,
    closed_on   DATE,
    outcome     TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL,
    CHECK ((stage = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX proceedings_case ON proceedings (case_id, opened_on);
-- Legal holds (R-DP3) look up the open proceedings of a case.
CREATE INDEX proceedings_open ON proceedings (case_id, stage);
CREATE INDEX proceedings_kind ON proceedings (kind, outcome, opened_on);

-- Who a proceeding is against: people and organisations of its case.
CREATE TABLE proceeding_persons (
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    person_id     TEXT NOT NULL REFERENCES persons (id),
    PRIMARY KEY (proceeding_id, person_id)
);
CREATE INDEX proceeding_persons_person ON proceeding_persons (person_id);
CREATE TABLE proceeding_organisations (
    proceeding_id   TEXT NOT NULL REFERENCES proceedings (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (proceeding_id, organisation_id)
);
CREATE INDEX proceeding_organisations_organisation ON proceeding_organisations (organisation_id);

-- The penalties a proceeding imposed, in the order given; amount is in
-- minor units of the ISO 4217 currency.
CREATE TABLE proceeding_penalties (
    proceeding_id TEXT NOT NULL REFERENCES proceedings (id),
    position      INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    amount        INTEGER NOT NULL DEFAULT 0,
    currency      TEXT NOT NULL DEFAULT '',
    months        INTEGER NOT NULL DEFAULT 0,
    suspended     BOOLEAN NOT NULL DEFAULT FALSE,
    note          BLOB NOT NULL,
    PRIMARY KEY (proceeding_id, position)
);
CREATE INDEX proceeding_penalties_kind ON proceeding_penalties (kind, currency);

-- +goose Down
DROP TABLE proceeding_penalties;
DROP TABLE proceeding_organisations;
DROP TABLE proceeding_persons;
DROP TABLE proceedings;
DROP TABLE inspection_screenings;
DROP TABLE inspections;
