package main

import (
	"os"
	"testing"
)

// TestMain lets the tests run this test binary as the real flare command:
// with FLARE_TEST_AS_MAIN=1 it behaves exactly as "flare" would, so the
// end-to-end tests exercise signal handling and exit codes of a real process.
func TestMain(m *testing.M) {
	if os.Getenv("FLARE_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}
