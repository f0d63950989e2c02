package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestClaims runs the wage claim and fund ledger suite (issue #8) on SQLite
// and PostgreSQL.
func TestClaims(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunClaims)
}
