package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestParties runs the organisation and worksite suite on both databases.
func TestParties(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunParties)
}
