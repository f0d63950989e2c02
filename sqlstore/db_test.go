package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestSQLitePragmas checks every pooled connection has the settings the
// durability and integrity promises rest on: WAL, synchronous=FULL (2),
// foreign keys, secure_delete.
func TestSQLitePragmas(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Hold several connections at once so the check covers more than one.
	conns := make([]interface{ Close() error }, 0, 4)
	for range 4 {
		c, err := db.sql.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "secure_delete": "1"} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in      string
		backend string
		invalid bool
	}{
		{"postgres://u@h/db", "postgres", false},
		{"postgresql://u@h/db?sslmode=disable", "postgres", false},
		{"sqlite:/tmp/x.db", "sqlite", false},
		{"file:x.db", "sqlite", false},
		{"./data/flare.db", "sqlite", false},
		{"", "", true},
		{"sqlite:", "", true},
		{"mysql://u@h/db", "", true},
		{"postgres://u:p@h:badport/db", "", true},
	}
	for _, tt := range tests {
		_, _, d, err := parseURL(tt.in)
		if tt.invalid {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Errorf("parseURL(%q) error = %v, want invalid", tt.in, err)
			}
			continue
		}
		if err != nil || d.name() != tt.backend {
			t.Errorf("parseURL(%q) = %v, %v; want %s", tt.in, d, err, tt.backend)
		}
	}
}

// TestParseURLHidesPassword: an unparsable URL must not echo its password
// into an error message that ends up in logs.
func TestParseURLHidesPassword(t *testing.T) {
	_, _, _, err := parseURL("postgres://user:s3cret-pw@host:port/db")
	if err == nil {
		t.Fatal("bad port accepted")
	}
	if got := err.Error(); strings.Contains(got, "s3cret-pw") {
		t.Errorf("error leaks the password: %s", got)
	}
}

// TestSQLiteFilesPrivate: the database and its WAL are readable by their
// owner only, whatever the umask.
func TestSQLiteFilesPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "private.db")
	db, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s mode %v, want no group or other access", filepath.Base(f), st.Mode().Perm())
		}
	}
}
