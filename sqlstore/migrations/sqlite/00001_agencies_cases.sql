-- +goose Up
CREATE TABLE agencies (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE cases (
    id         TEXT PRIMARY KEY,
    agency_id  TEXT NOT NULL REFERENCES agencies (id),
    reference  TEXT NOT NULL,
    title      TEXT NOT NULL,
    status     TEXT NOT NULL,
    opened_on  DATE NOT NULL,
    closed_on  DATE,
    version    INTEGER NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (agency_id, reference)
);

CREATE INDEX cases_agency_created ON cases (agency_id, created_at);

-- +goose Down
DROP TABLE cases;
DROP TABLE agencies;
