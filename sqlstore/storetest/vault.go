package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

// vaultSealedColumns are the sensitive fields of the test-only table, one per
// kind the checklist names (R-CR1).
var vaultSealedColumns = []string{"name", "testimony", "health", "immigration", "attachment"}

// vaultTable is created by the suite itself: persons and reports do not
// exist yet, and the protection under test is the KeyStore, not a service.
const vaultTable = "vault_test_records"

// vaultEnv is one database with a key ring and a raw connection for the
// attacker's view of the rows.
type vaultEnv struct {
	dbURL   string
	db      *sqlstore.DB
	raw     *sql.DB
	keys    *sqlstore.KeyStore
	keyFile string
}

// RunVault is the conformance suite of envelope encryption at rest
// (checklist R-CR1, R-CR2, R-CR3, R-CR5) on the database dbURL names.
func RunVault(t *testing.T, dbURL string) {
	e := openVaultEnv(t, dbURL, filepath.Join(t.TempDir(), vault.DefaultFileName))
	t.Run("SealedAtRest", func(t *testing.T) { testVaultSealedAtRest(t, e) })
	t.Run("Tampering", func(t *testing.T) { testVaultTampering(t, e) })
	t.Run("MovedWrappedKey", func(t *testing.T) { testVaultMovedWrappedKey(t, e) })
	t.Run("DataKeyErrors", func(t *testing.T) { testVaultDataKeyErrors(t, e) })
	t.Run("ShreddingOldBackup", func(t *testing.T) { testVaultShreddingOldBackup(t, e) })
	t.Run("RotateResumable", func(t *testing.T) { testVaultRotateResumable(t, e) })
	t.Run("CheckKeyRing", func(t *testing.T) { testVaultCheckKeyRing(t, e) })
}

// openVaultEnv opens and migrates dbURL, creates the test table and opens
// (or creates) the key ring at keyFile.
func openVaultEnv(t *testing.T, dbURL, keyFile string) *vaultEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	v, _, err := vault.OpenOrCreate(keyFile)
	if err != nil {
		t.Fatalf("key ring: %v", err)
	}
	e := &vaultEnv{dbURL: dbURL, db: db, raw: openVaultRaw(t, db.Backend(), dbURL), keys: sqlstore.NewKeyStore(db, v), keyFile: keyFile}
	blob := "BLOB"
	if db.Backend() == "postgres" {
		blob = "BYTEA"
	}
	cols := ""
	for _, c := range vaultSealedColumns {
		cols += ", " + c + " " + blob
	}
	_, err = e.raw.Exec(`CREATE TABLE IF NOT EXISTS ` + vaultTable + ` (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL` + cols + `, control ` + blob + `)`)
	if err != nil {
		t.Fatalf("create test table: %v", err)
	}
	return e
}

// openVaultRaw opens a second, plain connection pool on the same database: the
// suite's stand-in for the services that will call the KeyStore inside
// their own transactions, and for an attacker reading rows.
func openVaultRaw(t *testing.T, backend, dbURL string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if backend == "postgres" {
		raw, err = sql.Open("pgx", dbURL)
	} else {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		raw, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	}
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// vaultRecord is one row of the test table in plaintext.
type vaultRecord struct {
	ownerID string
	rowID   string
	fields  map[string]string // column -> plaintext
	control string            // stored unsealed: proves the grep can find
}

// newVaultRecord returns a record whose every field holds a unique marker.
func newVaultRecord(ownerID, rowID string) vaultRecord {
	r := vaultRecord{ownerID: ownerID, rowID: rowID, fields: map[string]string{}, control: "CONTROL-" + vaultRandomHex()}
	for _, c := range vaultSealedColumns {
		r.fields[c] = "MARKER-" + c + "-" + vaultRandomHex()
	}
	return r
}

// vaultRandomHex returns 16 random hex digits: markers unique to this run.
func vaultRandomHex() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// insertRecord creates the owner's data key (if key is nil) and the row in
// one transaction, as a service will, and returns the key.
func (e *vaultEnv) insertRecord(t *testing.T, r vaultRecord, key *vault.DataKey) *vault.DataKey {
	t.Helper()
	ctx := context.Background()
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if key == nil {
		if key, err = e.keys.CreateDataKey(ctx, tx, "person", r.ownerID); err != nil {
			t.Fatalf("create data key: %v", err)
		}
	}
	args := []any{r.rowID, r.ownerID}
	for _, c := range vaultSealedColumns {
		sealed, err := key.SealString(vault.Location{Table: vaultTable, Column: c, RowID: r.rowID}, r.fields[c])
		if err != nil {
			t.Fatal(err)
		}
		args = append(args, sealed)
	}
	args = append(args, []byte(r.control))
	_, err = tx.ExecContext(ctx, `INSERT INTO `+vaultTable+` (id, owner_id, `+strings.Join(vaultSealedColumns, ", ")+`, control)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, args...)
	if err != nil {
		t.Fatalf("insert record: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return key
}

// readSealedField opens one sealed field of a row through keys and raw, the way
// a service will.
func readSealedField(ctx context.Context, keys *sqlstore.KeyStore, raw *sql.DB, ownerID, rowID, column string) (string, error) {
	key, err := keys.DataKey(ctx, raw, "person", ownerID)
	if err != nil {
		return "", err
	}
	var sealed []byte
	if err := raw.QueryRowContext(ctx, `SELECT `+column+` FROM `+vaultTable+` WHERE id = $1`, rowID).Scan(&sealed); err != nil {
		return "", fmt.Errorf("select %s: %w", column, err)
	}
	return key.OpenString(vault.Location{Table: vaultTable, Column: column, RowID: rowID}, sealed)
}

// wantVaultRecord reads every sealed field of r and compares it.
func wantVaultRecord(t *testing.T, keys *sqlstore.KeyStore, raw *sql.DB, r vaultRecord) {
	t.Helper()
	for _, c := range vaultSealedColumns {
		got, err := readSealedField(context.Background(), keys, raw, r.ownerID, r.rowID, c)
		if err != nil || got != r.fields[c] {
			t.Fatalf("read %s of %s = %q, %v; want %q", c, r.rowID, got, err, r.fields[c])
		}
	}
}

// containsMarker looks for marker as the bytes themselves and as the hex text
// PostgreSQL prints for bytea.
func containsMarker(dump []byte, marker string) bool {
	return bytes.Contains(dump, []byte(marker)) || bytes.Contains(dump, []byte(hex.EncodeToString([]byte(marker))))
}

// R-CR1: sealed markers are nowhere in the raw database, while the control
// stored in plaintext is found (so the search itself works).
func testVaultSealedAtRest(t *testing.T, e *vaultEnv) {
	r := newVaultRecord("cr1-person", "cr1-row")
	e.insertRecord(t, r, nil)
	wantVaultRecord(t, e.keys, e.raw, r)
	secrets := e.ringSecrets(t)
	for name, dump := range e.dumps(t) {
		for _, secret := range secrets {
			if containsMarker(dump, secret) || bytes.Contains(dump, []byte(base64.StdEncoding.EncodeToString([]byte(secret)))) {
				t.Errorf("%s holds key material of the key ring", name)
			}
		}
		if !containsMarker(dump, r.control) {
			t.Fatalf("%s: the plaintext control marker is not found: the search is blind", name)
		}
		for _, c := range vaultSealedColumns {
			if containsMarker(dump, r.fields[c]) {
				t.Errorf("%s holds the plaintext of %s", name, c)
			}
		}
	}
}

// ringSecrets returns every key in the key ring file (KEK tree nodes and
// the blind-index key), none of which may ever reach the database.
func (e *vaultEnv) ringSecrets(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(e.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var ring struct {
		BlindIndexKey []byte `json:"blind_index_key"`
		KEKs          []struct {
			Nodes []struct {
				K []byte `json:"k"`
			} `json:"nodes"`
		} `json:"keks"`
	}
	if err := json.Unmarshal(b, &ring); err != nil {
		t.Fatal(err)
	}
	secrets := []string{string(ring.BlindIndexKey)}
	for _, k := range ring.KEKs {
		for _, n := range k.Nodes {
			secrets = append(secrets, string(n.K))
		}
	}
	for _, s := range secrets {
		if len(s) != 32 {
			t.Fatalf("key ring secret of %d bytes, want 32: the file format changed", len(s))
		}
	}
	return secrets
}

// dumps returns what an attacker holding the database sees: the SQLite
// file and its -wal file; on PostgreSQL, every table's rows as text and a
// pg_dump when pg_dump is on PATH.
func (e *vaultEnv) dumps(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	if e.db.Backend() == "sqlite" {
		path := strings.TrimPrefix(e.dbURL, "sqlite:")
		var all []byte
		for _, p := range []string{path, path + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			all = append(all, b...)
		}
		out["SQLite file and WAL"] = all
		return out
	}
	out["every table as text"] = e.tablesAsText(t)
	if pgDump, err := osexec.LookPath("pg_dump"); err == nil {
		u, err := url.Parse(e.dbURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		schema := q.Get("search_path")
		q.Del("search_path")
		u.RawQuery = q.Encode()
		dump, err := osexec.Command(pgDump, "--data-only", "--schema="+schema, u.String()).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		out["pg_dump"] = dump
	} else {
		t.Logf("pg_dump not on PATH: checking the tables as text only")
	}
	return out
}

// tablesAsText selects every row of every table of the schema, cast to
// text.
func (e *vaultEnv) tablesAsText(t *testing.T) []byte {
	t.Helper()
	rows, err := e.raw.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatal("no tables found: the dump would be empty")
	}
	var buf bytes.Buffer
	for _, table := range tables {
		rows, err := e.raw.Query(`SELECT t::text FROM "` + table + `" t`)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			buf.WriteString(s)
			buf.WriteByte('\n')
		}
		rows.Close()
	}
	return buf.Bytes()
}

// R-CR2: a flipped byte, or a ciphertext moved to another row, column or
// record, fails with an integrity error, never garbage.
func testVaultTampering(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	a := newVaultRecord("cr2-person-a", "cr2-row-a1")
	keyA := e.insertRecord(t, a, nil)
	a2 := newVaultRecord("cr2-person-a", "cr2-row-a2") // a second row of A
	e.insertRecord(t, a2, keyA)
	b := newVaultRecord("cr2-person-b", "cr2-row-b1")
	e.insertRecord(t, b, nil)
	wantVaultRecord(t, e.keys, e.raw, a)
	wantVaultRecord(t, e.keys, e.raw, a2)

	sealedOf := func(rowID, column string) []byte {
		var s []byte
		if err := e.raw.QueryRow(`SELECT `+column+` FROM `+vaultTable+` WHERE id = $1`, rowID).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	store := func(rowID, column string, v []byte) {
		if _, err := e.raw.Exec(`UPDATE `+vaultTable+` SET `+column+` = $1 WHERE id = $2`, v, rowID); err != nil {
			t.Fatal(err)
		}
	}
	flipped := func(s []byte, i int) []byte {
		s = bytes.Clone(s)
		s[i] ^= 0x01
		return s
	}
	origName := sealedOf(a.rowID, "name")
	tests := []struct {
		name   string
		row    string
		column string
		value  []byte
	}{
		{"flip a ciphertext byte", a.rowID, "name", flipped(origName, len(origName)/2)},
		{"flip the key id", a.rowID, "name", flipped(origName, 3)},
		{"flip the tag", a.rowID, "name", flipped(origName, len(origName)-1)},
		{"truncate", a.rowID, "name", origName[:len(origName)-5]},
		{"move to another row of the record", a2.rowID, "testimony", sealedOf(a.rowID, "testimony")},
		{"move to another column of the row", a.rowID, "health", sealedOf(a.rowID, "immigration")},
		{"move from another record", a.rowID, "attachment", sealedOf(b.rowID, "attachment")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := sealedOf(tt.row, tt.column)
			store(tt.row, tt.column, tt.value)
			defer store(tt.row, tt.column, orig)
			got, err := readSealedField(ctx, e.keys, e.raw, "cr2-person-a", tt.row, tt.column)
			var ie *vault.IntegrityError
			if !errors.As(err, &ie) || got != "" {
				t.Fatalf("read after tampering = %q, %v; want an integrity error", got, err)
			}
		})
	}
	// Restored, everything reads again: the failures came from tampering.
	wantVaultRecord(t, e.keys, e.raw, a)
	wantVaultRecord(t, e.keys, e.raw, a2)
}

// A wrapped data key copied to another record's row, or altered, fails.
func testVaultMovedWrappedKey(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	a := newVaultRecord("wk-person-a", "wk-row-a")
	b := newVaultRecord("wk-person-b", "wk-row-b")
	e.insertRecord(t, a, nil)
	e.insertRecord(t, b, nil)
	wrappedOf := func(owner string) []byte {
		var w []byte
		if err := e.raw.QueryRow(`SELECT wrapped_dek FROM data_keys WHERE owner_type = 'person' AND owner_id = $1`, owner).Scan(&w); err != nil {
			t.Fatal(err)
		}
		return w
	}
	setWrapped := func(owner string, w []byte) {
		if _, err := e.raw.Exec(`UPDATE data_keys SET wrapped_dek = $1 WHERE owner_type = 'person' AND owner_id = $2`, w, owner); err != nil {
			t.Fatal(err)
		}
	}
	origB := wrappedOf(b.ownerID)
	for name, w := range map[string][]byte{
		"copied from another record": wrappedOf(a.ownerID),
		"one byte flipped":           append(bytes.Clone(origB[:len(origB)-1]), origB[len(origB)-1]^1),
	} {
		t.Run(name, func(t *testing.T) {
			setWrapped(b.ownerID, w)
			defer setWrapped(b.ownerID, origB)
			_, err := e.keys.DataKey(ctx, nil, "person", b.ownerID)
			if !vault.IsIntegrity(err) {
				t.Fatalf("DataKey = %v; want an integrity error", err)
			}
		})
	}
	wantVaultRecord(t, e.keys, e.raw, b)
}

func testVaultDataKeyErrors(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	r := newVaultRecord("err-person", "err-row")
	e.insertRecord(t, r, nil)
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.keys.CreateDataKey(ctx, tx, "person", r.ownerID)
	tx.Rollback()
	wantCode(t, err, flare.ECONFLICT)
	_, err = e.keys.DataKey(ctx, nil, "person", "nobody")
	wantCode(t, err, flare.ENOTFOUND)
	tx, err = e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = e.keys.DestroyDataKey(ctx, tx, "person", "nobody")
	tx.Rollback()
	wantCode(t, err, flare.ENOTFOUND)
	// The same id under another owner type is another record.
	tx, err = e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.keys.CreateDataKey(ctx, tx, "report", r.ownerID); err != nil {
		t.Fatalf("key for a report with a person's id: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// destroy erases an owner's data key in its own transaction.
func (e *vaultEnv) destroy(t *testing.T, ownerID string) {
	t.Helper()
	ctx := context.Background()
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := e.keys.DestroyDataKey(ctx, tx, "person", ownerID); err != nil {
		t.Fatalf("destroy data key of %s: %v", ownerID, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// R-CR5: after a person's key is destroyed, their fields in a backup taken
// before are undecryptable, while everyone else's in the same backup still
// decrypt, with the key ring as it is after the erasure.
func testVaultShreddingOldBackup(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	erased := newVaultRecord("cr5-erased", "cr5-row-erased")
	kept := newVaultRecord("cr5-kept", "cr5-row-kept")
	e.insertRecord(t, erased, nil)
	e.insertRecord(t, kept, nil)

	backupURL := e.backup(t)
	// Control: before the erasure, the backup opens both people.
	restoredBefore := e.restore(t, backupURL)
	wantVaultRecord(t, restoredBefore.keys, restoredBefore.raw, erased)
	wantVaultRecord(t, restoredBefore.keys, restoredBefore.raw, kept)

	e.destroy(t, erased.ownerID)
	e.destroy(t, erased.ownerID) // idempotent

	// The live database: the key row is a tombstone.
	_, err := e.keys.DataKey(ctx, nil, "person", erased.ownerID)
	if !errors.Is(err, sqlstore.ErrDataKeyDestroyed) || flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("live DataKey of the erased person = %v; want ErrDataKeyDestroyed (not found)", err)
	}
	var wrapped []byte
	var destroyed sql.NullString
	if err := e.raw.QueryRow(`SELECT wrapped_dek, CAST(destroyed_at AS TEXT) FROM data_keys WHERE owner_type = 'person' AND owner_id = $1`,
		erased.ownerID).Scan(&wrapped, &destroyed); err != nil {
		t.Fatal(err)
	}
	if wrapped != nil || !destroyed.Valid {
		t.Fatalf("tombstone: wrapped %x, destroyed_at %v; want no key and a time", wrapped, destroyed)
	}
	wantVaultRecord(t, e.keys, e.raw, kept)

	// The old backup, restored with the key ring as it is now (re-read from
	// its file, as a restore on another machine would).
	restored := e.restore(t, backupURL)
	var oldWrapped []byte
	if err := restored.raw.QueryRow(`SELECT wrapped_dek FROM data_keys WHERE owner_type = 'person' AND owner_id = $1`,
		erased.ownerID).Scan(&oldWrapped); err != nil || oldWrapped == nil {
		t.Fatalf("the backup should still hold the erased person's wrapped key: %x, %v", oldWrapped, err)
	}
	if _, err := restored.keys.Vault().Unwrap(vault.Owner{Type: "person", ID: erased.ownerID}, oldWrapped); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("unwrap the erased person's key from the backup: %v; want ErrShredded", err)
	}
	for _, c := range vaultSealedColumns {
		got, err := readSealedField(ctx, restored.keys, restored.raw, erased.ownerID, erased.rowID, c)
		if !errors.Is(err, sqlstore.ErrDataKeyDestroyed) || got != "" {
			t.Fatalf("backup: %s of the erased person = %q, %v; want ErrDataKeyDestroyed", c, got, err)
		}
	}
	wantVaultRecord(t, restored.keys, restored.raw, kept)

	// A destroyed record's id cannot get a fresh key (its slot stays taken).
	tx, err := e.raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.keys.CreateDataKey(ctx, tx, "person", erased.ownerID)
	tx.Rollback()
	wantCode(t, err, flare.ECONFLICT)
}

// backup copies the database as it is now and returns the copy's URL:
// VACUUM INTO on SQLite (what "flare backup" will use), a row-for-row copy
// of data_keys and the test table into a fresh schema on PostgreSQL.
func (e *vaultEnv) backup(t *testing.T) string {
	t.Helper()
	if e.db.Backend() == "sqlite" {
		path := filepath.Join(t.TempDir(), "backup.db")
		if _, err := e.raw.Exec(`VACUUM INTO '` + path + `'`); err != nil {
			t.Fatalf("VACUUM INTO: %v", err)
		}
		return "sqlite:" + path
	}
	backupURL := NewURL(t, "postgres")
	dst := openVaultEnv(t, backupURL, e.keyFile)
	copyVaultRows(t, e.raw, dst.raw, "data_keys", "owner_type, owner_id, wrapped_dek, kek_id, shred_slot, created_at, rewrapped_at, destroyed_at", 8)
	copyVaultRows(t, e.raw, dst.raw, vaultTable, "id, owner_id, "+strings.Join(vaultSealedColumns, ", ")+", control", 3+len(vaultSealedColumns))
	return backupURL
}

// restore opens a backup with a key ring freshly read from the key file.
func (e *vaultEnv) restore(t *testing.T, backupURL string) *vaultEnv {
	t.Helper()
	v, err := vault.Open(e.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, backupURL)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return &vaultEnv{dbURL: backupURL, db: db, raw: openVaultRaw(t, db.Backend(), backupURL), keys: sqlstore.NewKeyStore(db, v), keyFile: e.keyFile}
}

// copyVaultRows copies every row of table from src to dst.
func copyVaultRows(t *testing.T, src, dst *sql.DB, table, columns string, n int) {
	t.Helper()
	rows, err := src.Query(`SELECT ` + columns + ` FROM ` + table)
	if err != nil {
		t.Fatalf("copy %s: %v", table, err)
	}
	defer rows.Close()
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	insert := `INSERT INTO ` + table + ` (` + columns + `) VALUES (` + strings.Join(ph, ", ") + `)`
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		if _, err := dst.Exec(insert, vals...); err != nil {
			t.Fatalf("copy %s: %v", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// R-CR3: a rotation stopped mid-way resumes on the same new KEK and ends
// with every data key on it; the old KEK cannot be removed before.
func testVaultRotateResumable(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	var recs []vaultRecord
	for i := range 23 {
		r := newVaultRecord(fmt.Sprintf("cr3-person-%02d", i), fmt.Sprintf("cr3-row-%02d", i))
		e.insertRecord(t, r, nil)
		recs = append(recs, r)
	}
	before, err := e.keys.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	oldKEK, _ := e.keys.Vault().CurrentKEK()
	total := 0
	for _, n := range before.ByKEK {
		total += n
	}
	if before.ByKEK[oldKEK] != total {
		t.Fatalf("before rotation: %v; want all %d keys on %s", before.ByKEK, total, oldKEK)
	}

	// The first run is stopped after two batches, as a kill would.
	e.keys.SetRotateBatch(5)
	stopCtx, stop := context.WithCancel(ctx)
	batches := 0
	p, err := e.keys.RotateKeys(stopCtx, func(sqlstore.RotateProgress) {
		if batches++; batches == 2 {
			stop()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped rotation = %+v, %v; want context.Canceled", p, err)
	}
	newKEK := p.KEKID
	if !p.Started || newKEK == oldKEK || p.Done != 10 || p.Total != total {
		t.Fatalf("stopped rotation progress = %+v; want a new KEK, 10 of %d done", p, total)
	}
	mid, _ := e.keys.Stats(ctx)
	if mid.ByKEK[newKEK] != 10 || mid.ByKEK[oldKEK] != total-10 {
		t.Fatalf("after the stop: %v; want 10 on %s and %d on %s", mid.ByKEK, newKEK, total-10, oldKEK)
	}
	// Every record reads in the mixed state.
	for _, r := range recs {
		wantVaultRecord(t, e.keys, e.raw, r)
	}
	wantCode(t, e.keys.RemoveKEK(ctx, oldKEK), flare.ECONFLICT)
	wantCode(t, e.keys.RemoveKEK(ctx, newKEK), flare.ECONFLICT)

	// The restart resumes on the same KEK instead of starting another.
	var seen []int
	p, err = e.keys.RotateKeys(ctx, func(p sqlstore.RotateProgress) { seen = append(seen, p.Done) })
	if err != nil {
		t.Fatalf("resumed rotation: %v", err)
	}
	if p.Started || p.KEKID != newKEK || p.Done != total-10 || len(seen) == 0 {
		t.Fatalf("resumed rotation = %+v, progress %v; want to finish %d keys on %s", p, seen, total-10, newKEK)
	}
	after, _ := e.keys.Stats(ctx)
	if len(after.ByKEK) != 1 || after.ByKEK[newKEK] != total {
		t.Fatalf("after rotation: %v; want all %d keys on %s", after.ByKEK, total, newKEK)
	}
	if err := e.keys.RemoveKEK(ctx, oldKEK); err != nil {
		t.Fatalf("remove the old KEK once unused: %v", err)
	}
	wantCode(t, e.keys.RemoveKEK(ctx, oldKEK), flare.ENOTFOUND)
	for _, r := range recs {
		wantVaultRecord(t, e.keys, e.raw, r)
	}
	// New keys are wrapped under the new KEK.
	r := newVaultRecord("cr3-after", "cr3-row-after")
	e.insertRecord(t, r, nil)
	if st, _ := e.keys.Stats(ctx); st.ByKEK[newKEK] != total+1 {
		t.Fatalf("a key made after rotation is not on %s: %v", newKEK, st.ByKEK)
	}
}

// A key ring that lacks the database's KEKs is refused.
func testVaultCheckKeyRing(t *testing.T, e *vaultEnv) {
	ctx := context.Background()
	if err := e.keys.Check(ctx); err != nil {
		t.Fatalf("check with the right key ring: %v", err)
	}
	other, _, err := vault.OpenOrCreate(filepath.Join(t.TempDir(), "other-keyring"))
	if err != nil {
		t.Fatal(err)
	}
	err = sqlstore.NewKeyStore(e.db, other).Check(ctx)
	wantCode(t, err, flare.EINVALID)

	// The same KEK ids with other key material (a ring from another
	// installation, hand-edited): refused too.
	b, err := os.ReadFile(e.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	var ring map[string]any
	if err := json.Unmarshal(b, &ring); err != nil {
		t.Fatal(err)
	}
	for _, kek := range ring["keks"].([]any) {
		for _, node := range kek.(map[string]any)["nodes"].([]any) {
			var key [32]byte
			rand.Read(key[:])
			node.(map[string]any)["k"] = base64.StdEncoding.EncodeToString(key[:])
		}
	}
	forged := filepath.Join(t.TempDir(), "forged-keyring")
	b, _ = json.Marshal(ring)
	if err := os.WriteFile(forged, b, 0o600); err != nil {
		t.Fatal(err)
	}
	fv, err := vault.Open(forged)
	if err != nil {
		t.Fatal(err)
	}
	err = sqlstore.NewKeyStore(e.db, fv).Check(ctx)
	wantCode(t, err, flare.EINVALID)
	if !strings.Contains(err.Error(), "cannot unwrap") {
		t.Fatalf("check with forged key material = %v; want \"cannot unwrap\"", err)
	}
}
