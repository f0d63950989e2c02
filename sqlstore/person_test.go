package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestPersons runs the person suite (R-AZ2, R-CR1, R-CC1, R-DP2) on SQLite
// and PostgreSQL.
func TestPersons(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunPersons)
}
