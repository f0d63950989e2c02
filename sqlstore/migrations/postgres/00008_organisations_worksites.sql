-- +goose Up
-- The organisations and worksites of a case (issue #5). Field names follow
-- IOM HTCDS 2.0 org_* (docs/casework.md). Not personal data of victims,
-- so plaintext; their searchable text also goes to search_entries.
CREATE TABLE organisations (
    id            UUID PRIMARY KEY,
    case_id       UUID NOT NULL REFERENCES cases (id),
    type          TEXT NOT NULL,
    name          TEXT NOT NULL,
    trade_names   TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    registrations TEXT NOT NULL DEFAULT '[]', -- JSON array of {scheme, number}
    country       TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT '',
    city          TEXT NOT NULL DEFAULT '',
    street        TEXT NOT NULL DEFAULT '',
    postal_code   TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX organisations_case ON organisations (case_id);

-- The case list filters cases by the ISIC section of their worksites
-- (CaseFilter.Sector): case_id and isic_section are a contract with it.
CREATE TABLE worksites (
    id              UUID PRIMARY KEY,
    case_id         UUID NOT NULL REFERENCES cases (id),
    organisation_id UUID REFERENCES organisations (id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    street          TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT '',
    postal_code     TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    isic_section    TEXT NOT NULL DEFAULT '',
    isic_division   TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    CHECK ((latitude IS NULL) = (longitude IS NULL))
);
CREATE INDEX worksites_case ON worksites (case_id);
CREATE INDEX worksites_section ON worksites (isic_section, case_id);
CREATE INDEX worksites_organisation ON worksites (organisation_id);

-- +goose Down
DROP TABLE worksites;
DROP TABLE organisations;
