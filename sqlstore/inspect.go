package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
)

var tableName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CountRowsContaining counts the rows of table in which any column, read as
// text, contains needle. Security tests use it to prove that secrets,
// tokens and personal values are not stored in the clear.
func (db *DB) CountRowsContaining(ctx context.Context, table, needle string) (int, error) {
	if !tableName.MatchString(table) {
		return 0, fmt.Errorf("count rows: bad table name %q", table)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("scan table %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("scan table %s: %w", table, err)
		}
		for _, v := range vals {
			if strings.Contains(string(v), needle) {
				n++
				break
			}
		}
	}
	return n, rows.Err()
}
