package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestReferrals runs the referral suite (issue #6) on SQLite and
// PostgreSQL.
func TestReferrals(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunReferrals)
}

// TestConsent runs the consent suite (issue #6, R-DP4) on SQLite and
// PostgreSQL.
func TestConsent(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunConsent)
}
