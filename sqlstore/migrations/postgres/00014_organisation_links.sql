-- +goose Up
-- Decisions on possible matches between organisations (issue #9), as
-- person_links for people: one row per pair, the smaller id first.
CREATE TABLE organisation_links (
    org_a      UUID NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    org_b      UUID NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    decision   TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_a, org_b),
    CHECK (org_a < org_b)
);
CREATE INDEX organisation_links_b ON organisation_links (org_b);

-- +goose Down
DROP TABLE organisation_links;
