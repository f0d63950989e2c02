package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestEnforcement runs the inspections, proceedings and erasure suite on
// both databases.
func TestEnforcement(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunEnforcement)
}
