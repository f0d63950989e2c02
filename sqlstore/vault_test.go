package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestVault runs the encryption-at-rest suite (R-CR1, R-CR2, R-CR3, R-CR5)
// on SQLite and PostgreSQL.
func TestVault(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunVault)
}
