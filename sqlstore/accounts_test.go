package sqlstore_test

import (
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.ForEachBackend(t, storetest.RunAccounts)
}
