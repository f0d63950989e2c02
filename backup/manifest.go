package backup

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare"
)

// FormatVersion is the artefact format this package writes and reads.
const FormatVersion = 1

// formatLine is the first line of every decrypted artefact.
var formatLine = fmt.Sprintf("flare-backup %d\n", FormatVersion)

// maxManifest caps the manifest line, so that a hostile artefact cannot make
// a restore read gigabytes looking for a newline.
const maxManifest = 1 << 20

// Manifest describes a backup. It is written at the head of the artefact,
// inside the encryption, so that a restore knows what it is about to load
// before it loads it, and can check the result afterwards.
type Manifest struct {
	// Format is FormatVersion at the time of writing.
	Format int `json:"format"`
	// Backend is "sqlite" or "postgres": a backup restores into the same.
	Backend string `json:"backend"`
	// Schema is the PostgreSQL schema the snapshot was taken from ("" for
	// SQLite); a restore loads it into the schema of that name.
	Schema string `json:"schema,omitempty"`
	// SchemaVersion is the migration version of the snapshot.
	SchemaVersion int64 `json:"schema_version"`
	// AuditSize and AuditRoot are the audit log's tree size and Merkle root
	// in the snapshot: a restore recomputes both from the restored entries
	// and matches them against the signed checkpoints.
	AuditSize int64     `json:"audit_size"`
	AuditRoot tlog.Hash `json:"audit_root"`
	// Tables maps each table of the snapshot to its checksum (row count
	// and SHA-256 of the ordered rows), checked after a restore.
	Tables map[string]string `json:"tables"`
	// CreatedAt is when the snapshot was taken, UTC.
	CreatedAt time.Time `json:"created_at"`
}

var (
	backendRE = regexp.MustCompile(`^(sqlite|postgres)$`)
	// schemaRE is a plain PostgreSQL identifier: the name reaches pg_restore's
	// command line, so nothing else is accepted.
	schemaRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	tableRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
	sumRE    = regexp.MustCompile(`^rows:[0-9]{1,19} sha256:[0-9a-f]{64}$`)
)

// Validate checks that m is a manifest this version can restore.
func (m Manifest) Validate() error {
	switch {
	case m.Format != FormatVersion:
		return fmt.Errorf("backup format %d; this flare reads format %d", m.Format, FormatVersion)
	case !backendRE.MatchString(m.Backend):
		return fmt.Errorf("unknown backend %q", m.Backend)
	case m.Backend == "postgres" && !schemaRE.MatchString(m.Schema):
		return fmt.Errorf("bad PostgreSQL schema name %q", m.Schema)
	case m.Backend == "sqlite" && m.Schema != "":
		return errors.New("a SQLite backup names no schema")
	case m.SchemaVersion < 0 || m.AuditSize < 0:
		return errors.New("negative schema version or audit size")
	case m.CreatedAt.IsZero():
		return errors.New("no creation time")
	}
	for name, sum := range m.Tables {
		if !tableRE.MatchString(name) || !sumRE.MatchString(sum) {
			return fmt.Errorf("bad table checksum %q: %q", name, sum)
		}
	}
	return nil
}

// WriteHeader writes the format line and the manifest to w, the plaintext
// side of an Encrypt writer; the snapshot follows.
func WriteHeader(w io.Writer, m Manifest) error {
	m.Format = FormatVersion
	m.CreatedAt = m.CreatedAt.UTC()
	if err := m.Validate(); err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	if _, err := io.WriteString(w, formatLine); err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write backup manifest: %w", err)
	}
	return nil
}

// ReadHeader reads the format line and the manifest from r, the plaintext
// of an artefact, and returns the manifest and a reader of the snapshot
// that follows. Anything else is an invalid-input error: the file is not a
// Flare backup, or one of another format.
func ReadHeader(r io.Reader) (Manifest, io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	line, err := readLine(br, len(formatLine))
	if err != nil || line != formatLine {
		if len(line) > 13 && line[:13] == "flare-backup " {
			return Manifest{}, nil, flare.Errorf(flare.EINVALID, "backup is in format %q; this flare reads format %d", bytes.TrimSpace([]byte(line[13:])), FormatVersion)
		}
		return Manifest{}, nil, flare.Errorf(flare.EINVALID, "not a Flare backup: the decrypted file does not start with %q", formatLine[:len(formatLine)-1])
	}
	line, err = readLine(br, maxManifest)
	if err != nil {
		return Manifest{}, nil, flare.Errorf(flare.EINVALID, "backup manifest: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(line)))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, nil, flare.Errorf(flare.EINVALID, "backup manifest: %v", err)
	}
	if dec.More() {
		return Manifest{}, nil, flare.Errorf(flare.EINVALID, "backup manifest: trailing data after the JSON object")
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, nil, flare.Errorf(flare.EINVALID, "backup manifest: %v", err)
	}
	return m, br, nil
}

// readLine reads up to and including the next newline, at most max bytes.
func readLine(br *bufio.Reader, max int) (string, error) {
	var buf []byte
	for len(buf) < max {
		b, err := br.ReadByte()
		if err != nil {
			return string(buf), fmt.Errorf("cut short: %w", err)
		}
		buf = append(buf, b)
		if b == '\n' {
			return string(buf), nil
		}
	}
	return string(buf), fmt.Errorf("line longer than %d bytes", max)
}
