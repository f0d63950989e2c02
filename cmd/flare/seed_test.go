package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestSeedCommand(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		keyFile := filepath.Join(t.TempDir(), "keyring")
		args := append([]string{"seed", "--cases", "6", "--people-per-case", "2", "--seed", "3", "--batch", "4", "--key-file", keyFile}, dbArgs(t, dbURL)...)
		out, errOut, code := runCLI(t, "", nil, args...)
		if code != 0 {
			t.Fatalf("seed = %d %s", code, errOut)
		}
		for _, want := range []string{"created key ring " + keyFile, "4/6 cases, 8 people", "6/6 cases, 12 people",
			"seeded 6 cases, 12 people"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if !regexp.MustCompile(`seeded 6 cases, 12 people, [0-9]+ organisations, [0-9]+ worksites, [0-9]+ tasks, [0-9]+ referrals \([0-9]+ accepted, each with its grant\), ` +
			`[0-9]+ services, [0-9]+ protection periods \([0-9]+ extensions\), [0-9]+ inspections, [0-9]+ proceedings: [0-9]+ records in `).MatchString(out) {
			t.Errorf("no issue #6 counts in %q", out)
		}
		if !regexp.MustCompile(`records/s, [0-9]+ people/s\n$`).MatchString(out) {
			t.Errorf("no rate in %q", out)
		}
		// Again, with the ring it made: more cases, same ring.
		out, errOut, code = runCLI(t, "", nil, append(args[:0:0], args...)...)
		if code != 0 || strings.Contains(out, "created key ring") || !strings.Contains(out, "seeded 6 cases") {
			t.Fatalf("second seed = %d %q %s", code, out, errOut)
		}
		// A missing ring next to sealed records is refused.
		other := append([]string{"seed", "--cases", "1", "--key-file", filepath.Join(t.TempDir(), "keyring")}, dbArgs(t, dbURL)...)
		if _, errOut, code := runCLI(t, "", nil, other...); code != 2 || !strings.Contains(errOut, "holds sealed records") {
			t.Errorf("seed with a new ring = %d %s", code, errOut)
		}
	})
}

func TestSeedCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"seed", "--data", dir}, "-cases: must be between 1 and 10000000"},
		{[]string{"seed", "--cases", "-3", "--data", dir}, "-cases: must be between 1 and 10000000"},
		{[]string{"seed", "--cases", "many", "--data", dir}, `invalid value "many" for flag -cases`},
		{[]string{"seed", "--cases", "1", "--people-per-case", "0", "--data", dir}, "-people-per-case: must be between 1 and 100"},
		{[]string{"seed", "--cases", "1", "--agencies", "8", "--data", dir}, "-agencies: must be between 1 and 7"},
		{[]string{"seed", "--cases", "1", "--batch", "0", "--data", dir}, "-batch: must be at least 1"},
		{[]string{"seed", "--cases", "1", "--people-per-case", "101", "--data", dir}, "-people-per-case: must be between 1 and 100"},
		{[]string{"seed", "--cases", "1", "extra", "--data", dir}, `unexpected argument "extra"`},
	} {
		_, errOut, code := runCLI(t, "", nil, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("flare %v = %d %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
