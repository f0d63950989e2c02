package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// dbArgs returns the flags that point a command at dbURL.
func dbArgs(t *testing.T, dbURL string) []string {
	if strings.HasPrefix(dbURL, "postgres") {
		return []string{"--database", dbURL}
	}
	return []string{"--data", filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:"))}
}

func TestMigrateCommand(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		db := dbArgs(t, dbURL)
		latest := fmt.Sprintf("schema version %d\n", latestMigration(t))
		steps := []struct {
			args     []string
			wantOut  string
			wantCode int
		}{
			{append([]string{"migrate", "up"}, db...), latest, 0},
			{append([]string{"migrate", "status"}, db...), "applied  00001_agencies_cases.sql", 0},
			// Flags may also come before the action.
			{append(append([]string{"migrate"}, db...), "down-to", "0"), "schema version 0\n", 0},
			{append([]string{"migrate", "status"}, db...), "pending  00001_agencies_cases.sql", 0},
			{append([]string{"migrate", "up"}, db...), latest, 0},
		}
		for _, s := range steps {
			out, stderr, code := runCLI(t, "", nil, s.args...)
			if code != s.wantCode || !strings.Contains(out, s.wantOut) {
				t.Fatalf("flare %v = exit %d, out %q, err %q; want exit %d and %q", s.args, code, out, stderr, s.wantCode, s.wantOut)
			}
		}
	})
}

func TestMigrateBadInput(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no action", []string{"migrate", "--data", dir}, "say what to do"},
		{"unknown action", []string{"migrate", "sideways", "--data", dir}, "unknown action \"sideways\""},
		{"down-to without version", []string{"migrate", "down-to", "--data", dir}, "needs one version"},
		{"down-to not a number", []string{"migrate", "down-to", "one", "--data", dir}, "\"one\" is not a version"},
		{"down-to negative", []string{"migrate", "down-to", "-1", "--data", dir}, "-1"},
		{"status takes no argument", []string{"migrate", "status", "extra", "--data", dir}, "takes no argument"},
		{"unknown flag", []string{"migrate", "status", "--dta", dir}, "-dta"},
		{"status of a missing database", []string{"migrate", "status", "--data", filepath.Join(dir, "typo")}, "no Flare database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", nil, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// TestFlagWinsOverEnvironment: FLARE_DATA configures the data directory
// unless --data is given.
func TestFlagWinsOverEnvironment(t *testing.T) {
	fromEnv, fromFlag := t.TempDir(), t.TempDir()
	environ := []string{"FLARE_DATA=" + fromEnv}
	if out, errOut, code := runCLI(t, "", environ, "migrate", "up"); code != 0 || !strings.Contains(out, fromEnv) {
		t.Fatalf("env: exit %d out %q err %q", code, out, errOut)
	}
	if out, errOut, code := runCLI(t, "", environ, "migrate", "up", "--data", fromFlag); code != 0 || !strings.Contains(out, fromFlag) {
		t.Fatalf("flag: exit %d out %q err %q", code, out, errOut)
	}
}

func TestHelpVersionAndUnknown(t *testing.T) {
	out, _, code := runCLI(t, "", nil, "help")
	if code != 0 || !strings.Contains(out, "serve") || !strings.Contains(out, "migrate") {
		t.Fatalf("help = %d %q", code, out)
	}
	_, errOut, code := runCLI(t, "", nil, "help", "migrate")
	if code != 0 || !strings.Contains(errOut, "-database") {
		t.Fatalf("help migrate = %d %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "", nil, "serve", "-h")
	if code != 0 || !strings.Contains(errOut, "-addr") {
		t.Fatalf("serve -h = %d %q", code, errOut)
	}
	out, _, code = runCLI(t, "", nil, "version")
	if code != 0 || !strings.HasPrefix(out, "flare ") {
		t.Fatalf("version = %d %q", code, out)
	}
	_, errOut, code = runCLI(t, "", nil, "frobnicate")
	if code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command = %d %q", code, errOut)
	}
	if _, _, code = runCLI(t, "", nil); code != 2 {
		t.Fatalf("no command = %d, want 2", code)
	}
}

// latestMigration is the highest migration version shipped.
func latestMigration(t *testing.T) int {
	files, err := filepath.Glob(filepath.Join("..", "..", "sqlstore", "migrations", "sqlite", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	slices.Sort(files)
	var v int
	if _, err := fmt.Sscanf(filepath.Base(files[len(files)-1]), "%05d_", &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// migrationCount returns how many migrations there are: versions may have
// gaps (each area of the schema has its own range).
func migrationCount(t *testing.T) int {
	files, err := filepath.Glob(filepath.Join("..", "..", "sqlstore", "migrations", "sqlite", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files)
}
