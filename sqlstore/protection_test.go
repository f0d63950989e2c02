package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestProtection runs the protection suite (issue #6: services, periods,
// decision deadlines) on SQLite and PostgreSQL.
func TestProtection(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunProtection)
}
