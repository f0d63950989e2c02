package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestMatches runs the possible-match suite (issue #9) on SQLite and
// PostgreSQL.
func TestMatches(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunMatches)
}

// TestCompetentAuthority runs the identified-victim rule (issue #7) on
// SQLite and PostgreSQL.
func TestCompetentAuthority(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunCompetentAuthority)
}

// TestStatistics runs the capture-table suite (issue #10) on SQLite and
// PostgreSQL.
func TestStatistics(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunStatistics)
}
