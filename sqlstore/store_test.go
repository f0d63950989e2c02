package sqlstore_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestConformance(t *testing.T) {
	storetest.ForEachBackend(t, storetest.Run)
}

// TestMigrationVersionsMatch keeps the two dialect folders in step: the same
// version numbers with the same names, so "migrate down-to N" means the same
// schema on both.
func TestMigrationVersionsMatch(t *testing.T) {
	list := func(dir string) []string {
		var names []string
		err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".sql") {
				names = append(names, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(names)
		return names
	}
	sqlite := list(filepath.Join("migrations", "sqlite"))
	pg := list(filepath.Join("migrations", "postgres"))
	if len(sqlite) == 0 {
		t.Fatal("no migrations found")
	}
	if !slices.Equal(sqlite, pg) {
		t.Fatalf("migration files differ:\nsqlite:   %v\npostgres: %v", sqlite, pg)
	}
}
