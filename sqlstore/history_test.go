package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestHistory runs the history checker (security checklist R-CC3) on
// SQLite and PostgreSQL: 32 goroutines, 2,000 random operations through
// the real services, then the database and the audit log must agree with
// every acknowledged answer. CI runs it under -race (.ci/run);
// FLARE_HISTORY_SEED replays the random choices of a logged seed.
func TestHistory(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunHistory)
}
