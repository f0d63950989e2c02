-- +goose Up
-- The case search index (issue #5): the searchable, non-secret text of a
-- case and of the records in it (title, region, organisation names,
-- worksite addresses), one row per record, normalised in Go (folded, no
-- diacritics, one space between words) so that FTS5 here and tsvector on
-- PostgreSQL see the same words. Encrypted fields are never indexed here:
-- names go through the blind index.
CREATE TABLE search_entries (
    id          INTEGER PRIMARY KEY,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL UNIQUE,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    body        TEXT NOT NULL
);
CREATE INDEX search_entries_case ON search_entries (case_id);

CREATE VIRTUAL TABLE search_fts USING fts5 (
    body, content = 'search_entries', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER search_entries_ai AFTER INSERT ON search_entries BEGIN
    INSERT INTO search_fts (rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_entries_ad AFTER DELETE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.id, old.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_entries_au AFTER UPDATE ON search_entries BEGIN
    INSERT INTO search_fts (search_fts, rowid, body) VALUES ('delete', old.id, old.body);
    INSERT INTO search_fts (rowid, body) VALUES (new.id, new.body);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_entries_au;
DROP TRIGGER search_entries_ad;
DROP TRIGGER search_entries_ai;
DROP TABLE search_fts;
DROP TABLE search_entries;
