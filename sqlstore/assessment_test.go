package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestAssessments runs the screening suite (issue #7) on SQLite and
// PostgreSQL.
func TestAssessments(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunAssessments)
}
