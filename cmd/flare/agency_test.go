package main

import (
	"strings"
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestAgencyCommand(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		db := dbArgs(t, dbURL)
		out, errOut, code := runCLI(t, "", nil, append([]string{"agency", "create", "--name", "Labour Inspectorate", "--kind", "labour_inspectorate"}, db...)...)
		if code != 0 || !strings.Contains(out, `created agency "Labour Inspectorate"`) {
			t.Fatalf("create = %d %q %q", code, out, errOut)
		}
		_, errOut, code = runCLI(t, "", nil, append([]string{"agency", "create", "--name", "Labour Inspectorate", "--kind", "police"}, db...)...)
		if code != 4 || !strings.Contains(errOut, "already exists") {
			t.Fatalf("duplicate = %d %q, want exit 4", code, errOut)
		}
		out, _, code = runCLI(t, "", nil, append([]string{"agency", "list"}, db...)...)
		if code != 0 || !strings.Contains(out, "labour_inspectorate  Labour Inspectorate") {
			t.Fatalf("list = %d %q", code, out)
		}
	})
}

func TestAgencyCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"agency", "create", "--kind", "police", "--data", dir}, "-name: is required"},
		{[]string{"agency", "create", "--name", "X", "--data", dir}, "-kind: is required"},
		{[]string{"agency", "create", "--name", "X", "--kind", "army", "--data", dir}, `kind: "army" is not one of`},
		{[]string{"agency", "delete", "--data", dir}, "usage: flare agency"},
		{[]string{"agency", "--data", dir}, "usage: flare agency"},
	}
	for _, tt := range tests {
		_, errOut, code := runCLI(t, "", nil, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("flare %v = %d %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
}
