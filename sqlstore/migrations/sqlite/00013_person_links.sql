-- +goose Up
-- Decisions on possible matches between people (issue #9): a confirmed
-- pair is the same person in two records; a rejected pair is never
-- proposed again. One row per pair, the smaller id first.
CREATE TABLE person_links (
    person_a   TEXT NOT NULL REFERENCES persons (id),
    person_b   TEXT NOT NULL REFERENCES persons (id),
    decision   TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at DATETIME NOT NULL,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b)
);
CREATE INDEX person_links_b ON person_links (person_b);

-- +goose Down
DROP TABLE person_links;
