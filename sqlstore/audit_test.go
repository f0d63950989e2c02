package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// TestAudit runs the audit log's conformance suite (checklist R-AU1 to
// R-AU6, R-IH3) on SQLite and PostgreSQL: appends in the caller's
// transaction, no personal values, verify with checkpoints, the tamper
// tests, 50 concurrent writers, the key kept out of the database, and the
// append-only triggers.
func TestAudit(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunAudit)
}
