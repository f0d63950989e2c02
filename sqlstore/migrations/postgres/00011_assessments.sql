-- +goose Up
-- Screenings of people against the ILO indicators (issue #7). The answers
-- (which may quote the person) and the result are sealed under the
-- person's data key, so erasing the person erases them too; the outcome
-- and the elements recorded stay in plaintext codes, for statistics.
CREATE TABLE assessments (
    id            UUID PRIMARY KEY,
    case_id       UUID NOT NULL REFERENCES cases (id),
    person_id     UUID NOT NULL REFERENCES persons (id),
    agency_id     UUID NOT NULL REFERENCES agencies (id),
    rule_version  TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    child         BOOLEAN NOT NULL,
    trafficking   BOOLEAN NOT NULL,
    input         BYTEA NOT NULL,
    result        BYTEA NOT NULL,
    interpreter   BYTEA NOT NULL,
    assessed_by   TEXT NOT NULL,
    assessed_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX assessments_person ON assessments (person_id, assessed_at);

-- One row per element an episode recorded within the reference period
-- (screening.EpisodeResult.Elements), numbered by episode in the order of
-- the result: statistics count assessments by element.
CREATE TABLE assessment_elements (
    assessment_id UUID NOT NULL REFERENCES assessments (id),
    episode       INTEGER NOT NULL,
    element       TEXT NOT NULL,
    PRIMARY KEY (assessment_id, episode, element)
);
CREATE INDEX assessment_elements_element ON assessment_elements (element);

-- +goose Down
DROP TABLE assessment_elements;
DROP TABLE assessments;
