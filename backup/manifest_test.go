package backup

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
)

func validManifest() Manifest {
	return Manifest{Format: FormatVersion, Backend: "postgres", Schema: "public", SchemaVersion: 5, AuditSize: 3,
		Tables:    map[string]string{"cases": "rows:2 sha256:" + strings.Repeat("ab", 32)},
		CreatedAt: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)}
}

func TestManifestRoundTrip(t *testing.T) {
	m := validManifest()
	m.AuditRoot[0] = 7
	var buf bytes.Buffer
	if err := WriteHeader(&buf, m); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("SNAPSHOT")
	got, rest, err := ReadHeader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if got.AuditRoot != m.AuditRoot || got.Schema != m.Schema || !got.CreatedAt.Equal(m.CreatedAt) || got.Tables["cases"] != m.Tables["cases"] {
		t.Fatalf("round trip = %+v, want %+v", got, m)
	}
	snap, _ := io.ReadAll(rest)
	if string(snap) != "SNAPSHOT" {
		t.Fatalf("snapshot after the header = %q", snap)
	}
}

func TestReadHeaderRejects(t *testing.T) {
	var good bytes.Buffer
	if err := WriteHeader(&good, validManifest()); err != nil {
		t.Fatal(err)
	}
	line := strings.SplitN(good.String(), "\n", 3)[1]
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "not a Flare backup"},
		{"a SQLite file", "SQLite format 3\x00...", "not a Flare backup"},
		{"another format", "flare-backup 2\n{}\n", "format \"2\""},
		{"no manifest", "flare-backup 1\n", "cut short"},
		{"not JSON", "flare-backup 1\nhello\n", "backup manifest"},
		{"unknown field", "flare-backup 1\n" + strings.Replace(line, `"format"`, `"extra":1,"format"`, 1) + "\n", "unknown field"},
		{"trailing data", "flare-backup 1\n" + line + " {}\n", "trailing data"},
		{"bad backend", "flare-backup 1\n" + strings.Replace(line, `"postgres"`, `"mysql"`, 1) + "\n", "unknown backend"},
		{"hostile schema", "flare-backup 1\n" + strings.Replace(line, `"public"`, `"x; DROP TABLE cases"`, 1) + "\n", "bad PostgreSQL schema"},
		{"bad checksum", "flare-backup 1\n" + strings.Replace(line, "rows:2", "rows:-2", 1) + "\n", "bad table checksum"},
		{"endless line", "flare-backup 1\n" + strings.Repeat("x", maxManifest+10), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadHeader(strings.NewReader(tt.in))
			if flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadHeader = %v; want an invalid-input error saying %q", err, tt.want)
			}
		})
	}
}

func TestWriteHeaderRefusesInvalid(t *testing.T) {
	m := validManifest()
	m.Backend = "sqlite" // with a schema name: inconsistent
	if err := WriteHeader(io.Discard, m); err == nil {
		t.Fatal("WriteHeader wrote an invalid manifest")
	}
}

// FuzzReadHeader: any decrypted input either yields a manifest that
// validates, with the rest of the input after it, or an invalid-input
// error; never a panic.
func FuzzReadHeader(f *testing.F) {
	var good bytes.Buffer
	WriteHeader(&good, validManifest())
	f.Add(good.Bytes())
	f.Add([]byte("flare-backup 1\n{}\n"))
	f.Add([]byte("flare-backup 1\n{\"format\":1,\"backend\":\"sqlite\"}\nrest"))
	f.Add([]byte("SQLite format 3\x00"))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, rest, err := ReadHeader(bytes.NewReader(in))
		if err != nil {
			if flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Fatalf("error %v is not an invalid-input error", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid manifest: %v", err)
		}
		if _, err := io.ReadAll(rest); err != nil {
			t.Fatal(err)
		}
	})
}
