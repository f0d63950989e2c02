package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare/vault"
)

// The case search index (migration 00010). Each record that carries
// searchable, non-secret text (a case's title and region, an
// organisation's names, a worksite's address) has one row in
// search_entries with that text normalised in Go. Both databases then
// tokenise the same plain words: FTS5's unicode61 and PostgreSQL's "simple"
// configuration split lowercase letters and digits alike, which is what
// makes a search give the same cases on SQLite and PostgreSQL (issue #5).
//
// Nothing sealed is ever indexed here: a name of a person goes only into
// the blind index (keyed tokens), never into plaintext full-text tables.

// searchBody normalises text for the index and for queries: the words of
// vault.NormaliseTokens (folded, without diacritics), space-separated.
func searchBody(parts ...string) string {
	return strings.Join(vault.NormaliseTokens(strings.Join(parts, " ")), " ")
}

// indexText stores the searchable text of a record of case caseID in tx,
// replacing what was indexed for it before; empty text removes the entry.
// Call it in the transaction that writes the record.
func (db *DB) indexText(ctx context.Context, tx *sql.Tx, recordType, recordID, caseID string, parts ...string) error {
	body := searchBody(parts...)
	if body == "" {
		return db.unindexText(ctx, tx, recordID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO search_entries (record_type, record_id, case_id, body)
		VALUES ($1, $2, $3, $4) ON CONFLICT (record_id) DO UPDATE SET body = excluded.body`,
		recordType, recordID, caseID, body)
	if err != nil {
		return fmt.Errorf("index %s %s: %w", recordType, recordID, db.dialect.translate(err))
	}
	return nil
}

// unindexText removes a record's entry from the search index.
func (db *DB) unindexText(ctx context.Context, tx *sql.Tx, recordID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_entries WHERE record_id = $1`, recordID); err != nil {
		return fmt.Errorf("unindex %s: %w", recordID, db.dialect.translate(err))
	}
	return nil
}

// searchTerms turns a user's query into the normalised words every match
// must contain, each as a prefix. It returns nil for a query with no word.
func searchTerms(query string) []string {
	return vault.NormaliseTokens(query)
}

// textMatch implements dialect for SQLite: an FTS5 query of prefix terms
// joined by AND ("wor"* AND "garm"*). The terms are letters and digits
// only (searchTerms), so quoting them cannot be escaped.
func (sqliteDialect) textMatch(param string) string {
	return `id IN (SELECT e.case_id FROM search_fts JOIN search_entries e ON e.id = search_fts.rowid
		WHERE search_fts MATCH ` + param + `)`
}

// textMatch implements dialect for PostgreSQL: a tsquery of prefix terms
// joined by & (wor:* & garm:*).
func (postgresDialect) textMatch(param string) string {
	return `id IN (SELECT case_id FROM search_entries WHERE tsv @@ to_tsquery('simple', ` + param + `))`
}

// textQuery writes terms in the query language of the dialect.
func (db *DB) textQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if db.dialect.name() == "sqlite" {
			parts[i] = `"` + t + `"*`
		} else {
			parts[i] = t + ":*"
		}
	}
	if db.dialect.name() == "sqlite" {
		return strings.Join(parts, " AND ")
	}
	return strings.Join(parts, " & ")
}
