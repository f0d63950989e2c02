-- +goose Up
-- The case search index (issue #5): the searchable, non-secret text of a
-- case and of the records in it (title, region, organisation names,
-- worksite addresses), one row per record, normalised in Go (folded, no
-- diacritics, one space between words) so that tsvector here and FTS5 on
-- SQLite see the same words. Encrypted fields are never indexed here:
-- names go through the blind index.
CREATE TABLE search_entries (
    id          BIGSERIAL PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id   UUID NOT NULL UNIQUE,
    case_id     UUID NOT NULL REFERENCES cases (id),
    body        TEXT NOT NULL,
    tsv         tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
);
CREATE INDEX search_entries_case ON search_entries (case_id);
CREATE INDEX search_entries_tsv ON search_entries USING GIN (tsv);

-- +goose Down
DROP TABLE search_entries;
