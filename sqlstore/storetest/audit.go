package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunAudit is the conformance suite of the audit log (security checklist
// R-AU1 to R-AU6), on the database dbURL names. Tests that tamper with the
// log, as someone with full database access would, get fresh databases of
// the same backend.
func RunAudit(t *testing.T, dbURL string) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	backend := BackendOf(dbURL)

	t.Run("AppendAndList", func(t *testing.T) { testAuditAppendAndList(t, db) })
	t.Run("SeveralInOneTx", func(t *testing.T) { testAuditSeveralInOneTx(t, openAudit(t, backend)) })
	t.Run("RollbackRemovesBoth", func(t *testing.T) { testAuditRollback(t, openAudit(t, backend)) })
	t.Run("MutationCountEqualsAuditCount", func(t *testing.T) { testAuditWorkload(t, openAudit(t, backend)) })
	t.Run("NoPersonalValues", func(t *testing.T) { testAuditNoPersonalValues(t, openAudit(t, backend)) })
	t.Run("VerifyAndCheckpoints", func(t *testing.T) { testAuditVerify(t, Open(t, backend)) })
	t.Run("Tamper", func(t *testing.T) { testAuditTamper(t, backend) })
	t.Run("ConcurrentWriters", func(t *testing.T) { testAuditConcurrent(t, Open(t, backend)) })
	t.Run("KeyNotInDatabase", func(t *testing.T) { testAuditKeyNotInDB(t, NewURL(t, backend)) })
	t.Run("AppendOnlyTriggers", func(t *testing.T) { testAuditTriggers(t, NewURL(t, backend)) })
	t.Run("ExportCSV", func(t *testing.T) { testAuditExportCSV(t, Open(t, backend)) })
}

// BackendOf names the backend of a database URL: "postgres" or "sqlite".
func BackendOf(dbURL string) string {
	if strings.HasPrefix(dbURL, "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// AuditEntry returns a valid entry numbered i, as the case service would
// write for a user of agencyID acting on caseID.
func AuditEntry(i int, agencyID, caseID string) audit.Entry {
	return audit.Entry{
		UserID:     fmt.Sprintf("0192e0a0-0000-7000-8000-%012d", i%5),
		AgencyID:   agencyID,
		SessionID:  fmt.Sprintf("0192e0a0-5e55-7000-8000-%012d", i%3),
		Action:     audit.Actions()[i%len(audit.Actions())],
		Outcome:    audit.OutcomeOK,
		RecordType: "case",
		RecordID:   caseID,
		CaseID:     caseID,
		Fields:     []string{"status", "title"},
	}
}

// AppendAuditEntries appends n entries, one transaction each.
func AppendAuditEntries(t testing.TB, db *sqlstore.DB, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := db.AppendAudit(ctx, tx, AuditEntry(i, "0192e0a0-0000-7000-8000-00000000aaaa", fmt.Sprintf("0192e0a0-ca5e-7000-8000-%012d", i%4)))
			return err
		})
		if err != nil {
			t.Fatalf("append entry %d: %v", i, err)
		}
	}
}

// NewCheckpointer returns a checkpointer with a fresh key and a file sink
// in a temporary directory, as "flare serve" sets them up in the data
// directory.
func NewCheckpointer(t testing.TB) (*audit.Checkpointer, *audit.Key, *audit.FileSink) {
	t.Helper()
	dir := t.TempDir()
	key, _, err := audit.LoadOrCreateKey(filepath.Join(dir, audit.KeyFileName), audit.DefaultKeyName)
	if err != nil {
		t.Fatal(err)
	}
	sink := audit.NewFileSink(filepath.Join(dir, audit.CheckpointsFileName))
	return audit.NewCheckpointer(key, sink), key, sink
}

// VerifyAudit runs the verifier against the checkpoints in sink.
func VerifyAudit(t testing.TB, db *sqlstore.DB, key *audit.Key, sink audit.Sink) (audit.Result, error) {
	t.Helper()
	cps, err := audit.TrustedCheckpoints(sink, key.Verifier())
	if err != nil {
		t.Fatalf("read checkpoints: %v", err)
	}
	return db.VerifyAudit(context.Background(), cps)
}

// RawDB opens dbURL directly with database/sql, bypassing the store: the
// access an administrator, or an attacker on the database host, has.
func RawDB(t testing.TB, dbURL string) *sql.DB {
	t.Helper()
	var raw *sql.DB
	var err error
	if BackendOf(dbURL) == "postgres" {
		raw, err = sql.Open("pgx", dbURL)
	} else {
		raw, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(dbURL, "sqlite:")+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatalf("open raw database: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

// DropAuditTriggers removes the append-only triggers, as someone with
// full rights on the database can. Verify must still catch what follows.
func DropAuditTriggers(t testing.TB, raw *sql.DB, backend string) {
	t.Helper()
	stmts := []string{
		`DROP TRIGGER audit_entries_no_update`, `DROP TRIGGER audit_entries_no_delete`,
		`DROP TRIGGER audit_hashes_no_update`, `DROP TRIGGER audit_hashes_no_delete`,
	}
	if backend == "postgres" {
		stmts = []string{
			`DROP TRIGGER audit_entries_append_only ON audit_entries`,
			`DROP TRIGGER audit_hashes_append_only ON audit_hashes`,
		}
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// RewriteAuditHashes recomputes and rewrites every stored tree hash from
// the entries as they now are: what an attacker who edited an entry and
// knows the algorithm does to hide the edit (R-AU4 (b)). The triggers must
// be gone already.
func RewriteAuditHashes(t testing.TB, raw *sql.DB) {
	t.Helper()
	rows, err := raw.Query(`SELECT seq, at, user_id, agency_id, console, session_id, action, outcome,
		record_type, record_id, case_id, fields, justification FROM audit_entries ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var entries []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var fields string
		if err := rows.Scan(&e.Seq, &e.At, &e.UserID, &e.AgencyID, &e.Console, &e.SessionID, &e.Action, &e.Outcome,
			&e.RecordType, &e.RecordID, &e.CaseID, &fields, &e.Justification); err != nil {
			t.Fatal(err)
		}
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	all := map[int64]tlog.Hash{}
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = all[x]
		}
		return out, nil
	})
	for _, e := range entries {
		data, err := audit.Encode(e)
		if err != nil {
			t.Fatalf("encode seq %d: %v", e.Seq, err)
		}
		hashes, err := tlog.StoredHashes(e.Seq, data, reader)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range hashes {
			all[tlog.StoredHashIndex(0, e.Seq)+int64(i)] = h
		}
	}
	if _, err := raw.Exec(`DELETE FROM audit_hashes`); err != nil {
		t.Fatal(err)
	}
	for idx, h := range all {
		if _, err := raw.Exec(`INSERT INTO audit_hashes (idx, hash) VALUES ($1, $2)`, idx, h[:]); err != nil {
			t.Fatal(err)
		}
	}
}

func countRows(t testing.TB, db *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// wantSeqs checks the log holds exactly seq 0 to n-1.
func wantSeqs(t testing.TB, db *sqlstore.DB, n int) {
	t.Helper()
	var seqs []int64
	for before := int64(0); ; {
		page, err := db.AuditEntries(context.Background(), sqlstore.AuditFilter{Before: before})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			seqs = append(seqs, e.Seq)
		}
		if len(page) == 0 || page[len(page)-1].Seq == 0 {
			break
		}
		before = page[len(page)-1].Seq
	}
	slices.Sort(seqs)
	if len(seqs) != n {
		t.Fatalf("log holds %d entries, want %d", len(seqs), n)
	}
	for i, s := range seqs {
		if s != int64(i) {
			t.Fatalf("seq %d found where %d was expected: a gap or a duplicate", s, i)
		}
	}
}

func testAuditAppendAndList(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	at := time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.FixedZone("X", -3*3600))
	db.SetClock(func() time.Time { return at })
	t.Cleanup(func() { db.SetClock(time.Now) })
	const caseA, caseB = "0192e0a0-ca5e-7000-8000-00000000000a", "0192e0a0-ca5e-7000-8000-00000000000b"
	in := []audit.Entry{
		AuditEntry(0, "ag-1", caseA),
		{Console: true, Action: audit.ActionExport, Outcome: audit.OutcomeOK, RecordType: "audit_log"},
		{UserID: "u-9", AgencyID: "ag-2", SessionID: "s-1", Action: audit.ActionRead, Outcome: audit.OutcomeDenied,
			RecordType: "person", RecordID: "p-1", CaseID: caseB, Fields: []string{"name", "date_of_birth", "name"},
			Justification: "Prosecution file 2026/17:\nidentity check before the hearing"},
		AuditEntry(3, "ag-1", caseA),
	}
	for i, e := range in {
		var seq int64
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			var err error
			seq, err = db.AppendAudit(ctx, tx, e)
			return err
		})
		if err != nil || seq != int64(i) {
			t.Fatalf("append %d = seq %d, %v", i, seq, err)
		}
	}
	if _, err := db.AppendAudit(ctx, nil, in[0]); err == nil {
		t.Error("AppendAudit without a transaction succeeded")
	}
	all, err := db.AuditEntries(ctx, sqlstore.AuditFilter{})
	if err != nil || len(all) != len(in) {
		t.Fatalf("list = %d entries, %v", len(all), err)
	}
	for i, got := range all {
		want := in[len(in)-1-i].Normalized()
		want.Seq = int64(len(in) - 1 - i)
		want.At = at.UTC().Truncate(time.Microsecond)
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("entry %d read back as\n %+v\nwant\n %+v", want.Seq, got, want)
		}
	}
	byCase, err := db.AuditEntries(ctx, sqlstore.AuditFilter{CaseID: caseA})
	if err != nil || len(byCase) != 2 || byCase[0].Seq != 3 || byCase[1].Seq != 0 {
		t.Fatalf("entries of case A = %+v, %v", byCase, err)
	}
	reads, err := db.AuditEntries(ctx, sqlstore.AuditFilter{CaseID: caseB, Action: audit.ActionRead})
	if err != nil || len(reads) != 1 || reads[0].Justification == "" {
		t.Fatalf("reads of case B = %+v, %v", reads, err)
	}
	page, err := db.AuditEntries(ctx, sqlstore.AuditFilter{Before: 2, Limit: 1})
	if err != nil || len(page) != 1 || page[0].Seq != 1 {
		t.Fatalf("page before seq 2 = %+v, %v", page, err)
	}
}

// testAuditSeveralInOneTx: a transaction that records several actions (a
// list of cases read at once) gets consecutive seqs, and the log verifies.
func testAuditSeveralInOneTx(t *testing.T, adb auditDB) {
	ctx := context.Background()
	db := adb.DB
	AppendAuditEntries(t, db, 2)
	var seqs []int64
	err := db.InTx(ctx, func(tx *sql.Tx) error {
		for i := range 5 {
			seq, err := db.AppendAudit(ctx, tx, AuditEntry(i, "ag", fmt.Sprintf("0192e0a0-ca5e-7000-8000-%012d", i)))
			if err != nil {
				return err
			}
			seqs = append(seqs, seq)
		}
		return nil
	})
	if err != nil || !slices.Equal(seqs, []int64{2, 3, 4, 5, 6}) {
		t.Fatalf("seqs = %v, %v; want 2 to 6", seqs, err)
	}
	AppendAuditEntries(t, db, 1)
	wantSeqs(t, db, 8)
	c, key, sink := NewCheckpointer(t)
	if _, _, err := db.PublishAuditCheckpoint(ctx, c); err != nil {
		t.Fatal(err)
	}
	if res, err := VerifyAudit(t, db, key, sink); err != nil || res.Size != 8 {
		t.Fatalf("verify = %+v, %v", res, err)
	}
}

var errInjected = errors.New("injected failure")

// insertAgency is a business write in tx.
func insertAgency(ctx context.Context, tx *sql.Tx, name string) (string, error) {
	id := fmt.Sprintf("0192e0a0-a9e0-7000-8000-%012x", rand.Int64N(1<<48))
	_, err := tx.ExecContext(ctx, `INSERT INTO agencies (id, name, kind, created_at) VALUES ($1, $2, $3, $4)`,
		id, name, string(flare.AgencyNGO), time.Now().UTC())
	return id, err
}

// testAuditRollback (R-AU1): the entry is written in the caller's
// transaction; a failure after the business write leaves neither.
func testAuditRollback(t *testing.T, adb auditDB) {
	ctx := context.Background()
	db, raw := adb.DB, adb.raw
	tests := []struct {
		name     string
		entry    audit.Entry
		failLate bool
		commits  bool
	}{
		{"failure after the audit entry", AuditEntry(1, "a", "c"), true, false},
		{"the audit entry itself fails", audit.Entry{Action: "peek", Outcome: audit.OutcomeOK, RecordType: "case"}, false, false},
		{"success", AuditEntry(2, "a", "c"), false, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agencies, entries := countRows(t, raw, "agencies"), countRows(t, raw, "audit_entries")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := insertAgency(ctx, tx, fmt.Sprintf("Rollback %d", i)); err != nil {
					return err
				}
				if _, err := db.AppendAudit(ctx, tx, tt.entry); err != nil {
					return err
				}
				if tt.failLate {
					return errInjected
				}
				return nil
			})
			if (err == nil) != tt.commits {
				t.Fatalf("transaction error = %v, want commit %v", err, tt.commits)
			}
			want := 0
			if tt.commits {
				want = 1
			}
			if got := countRows(t, raw, "agencies") - agencies; got != want {
				t.Errorf("business rows added = %d, want %d", got, want)
			}
			if got := countRows(t, raw, "audit_entries") - entries; got != want {
				t.Errorf("audit entries added = %d, want %d", got, want)
			}
		})
	}
	// Rolled-back appends leave no gap.
	wantSeqs(t, db, 1)
}

// auditDB is a fresh, migrated store and a raw handle on the same database.
type auditDB struct {
	*sqlstore.DB
	raw *sql.DB
}

func openAudit(t *testing.T, backend string) auditDB {
	t.Helper()
	ctx := context.Background()
	url := NewURL(t, backend)
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return auditDB{DB: db, raw: RawDB(t, url)}
}

// testAuditWorkload (R-AU1): over a random mix of creates, updates and
// failures, the log holds one entry per committed mutation, gap-free, and
// verifies.
func testAuditWorkload(t *testing.T, adb auditDB) {
	ctx := context.Background()
	db := adb.DB
	rng := rand.New(rand.NewPCG(2013, 29))
	var ids []string
	committed := 0
	for i := range 120 {
		fail := rng.IntN(4) == 0
		err := db.InTx(ctx, func(tx *sql.Tx) error {
			e := AuditEntry(i, "0192e0a0-0000-7000-8000-00000000aaaa", "")
			e.RecordType = "agency"
			var id string
			if len(ids) == 0 || rng.IntN(2) == 0 {
				var err error
				if id, err = insertAgency(ctx, tx, fmt.Sprintf("Workload %d", i)); err != nil {
					return err
				}
				e.Action, e.Fields = audit.ActionCreate, []string{"kind", "name"}
			} else {
				id = ids[rng.IntN(len(ids))]
				if _, err := tx.ExecContext(ctx, `UPDATE agencies SET name = $1 WHERE id = $2`, fmt.Sprintf("Workload %d", i), id); err != nil {
					return err
				}
				e.Action, e.Fields = audit.ActionUpdate, []string{"name"}
			}
			e.RecordID = id
			if rng.IntN(2) == 0 && fail {
				return errInjected // before the audit append
			}
			if _, err := db.AppendAudit(ctx, tx, e); err != nil {
				return err
			}
			if fail {
				return errInjected
			}
			if e.Action == audit.ActionCreate {
				ids = append(ids, id)
			}
			return nil
		})
		if fail != errors.Is(err, errInjected) || (!fail && err != nil) {
			t.Fatalf("op %d: %v", i, err)
		}
		if !fail {
			committed++
		}
	}
	wantSeqs(t, db, committed)
	raw := adb.raw
	var creates int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM audit_entries WHERE action = 'create'`).Scan(&creates); err != nil {
		t.Fatal(err)
	}
	if agencies := countRows(t, raw, "agencies"); agencies != creates || creates != len(ids) {
		t.Errorf("agencies = %d, create entries = %d, creates committed = %d", agencies, creates, len(ids))
	}
	c, key, sink := NewCheckpointer(t)
	if _, _, err := db.PublishAuditCheckpoint(ctx, c); err != nil {
		t.Fatal(err)
	}
	if res, err := VerifyAudit(t, db, key, sink); err != nil || res.Size != int64(committed) {
		t.Fatalf("verify = %+v, %v", res, err)
	}
}

// dumpTables returns the content of every table of the database, as text
// and as raw bytes, for greps.
func dumpTables(t testing.TB, raw *sql.DB, backend string) []byte {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if backend == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	rows, err := raw.Query(q)
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
	if len(tables) < 3 {
		t.Fatalf("found only tables %v", tables)
	}
	var dump []byte
	for _, table := range tables {
		dump = append(dump, dumpTable(t, raw, table)...)
	}
	return dump
}

// dumpTable returns every value of every row of table: byte values raw
// and in hex and base64, others printed.
func dumpTable(t testing.TB, raw *sql.DB, table string) []byte {
	t.Helper()
	rows, err := raw.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var dump bytes.Buffer
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for _, v := range vals {
			if b, ok := v.([]byte); ok {
				dump.Write(b)
				dump.WriteString("|" + hex.EncodeToString(b) + "|" + base64.StdEncoding.EncodeToString(b))
			} else {
				fmt.Fprintf(&dump, "%v", v)
			}
			dump.WriteByte('|')
		}
		dump.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	return dump.Bytes()
}

// testAuditNoPersonalValues (R-AU2): after a case with marker strings is
// created and read, and its entries written as the case service does, the
// audit tables hold none of the markers; and an entry that tries to carry
// a value is refused with nothing written.
func testAuditNoPersonalValues(t *testing.T, adb auditDB) {
	ctx := context.Background()
	db, raw := adb.DB, adb.raw
	const nameMarker, titleMarker, refMarker = "Zqxmarker Agency", "Zqxmarker Kiln Title", "ZQX-MARKER-7731"
	a := mustAgency(t, db, nameMarker, flare.AgencyLabourInspectorate)
	c := newCase(a.ID, refMarker)
	c.Title = titleMarker
	mustCase(t, db, console(), c)
	for _, e := range []audit.Entry{
		{UserID: "0192e0a0-0000-7000-8000-000000000001", AgencyID: a.ID, SessionID: "0192e0a0-5e55-7000-8000-000000000001",
			Action: audit.ActionCreate, Outcome: audit.OutcomeOK, RecordType: "case", RecordID: c.ID, CaseID: c.ID,
			Fields: []string{"opened_on", "reference", "status", "title"}},
		{UserID: "0192e0a0-0000-7000-8000-000000000002", AgencyID: a.ID, Action: audit.ActionRead, Outcome: audit.OutcomeOK,
			RecordType: "case", RecordID: c.ID, CaseID: c.ID, Justification: "Investigation 2026/17"},
	} {
		if err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := db.AppendAudit(ctx, tx, e); return err }); err != nil {
			t.Fatal(err)
		}
	}
	refused := []audit.Entry{
		{Action: audit.ActionCreate, Outcome: audit.OutcomeOK, RecordType: "case", RecordID: refMarker + " x"},
		{Action: audit.ActionUpdate, Outcome: audit.OutcomeOK, RecordType: "case", Fields: []string{"title=" + titleMarker}},
		{Action: audit.ActionRead, Outcome: audit.OutcomeOK, RecordType: "case", CaseID: nameMarker},
		{Action: audit.ActionRead, Outcome: audit.OutcomeOK, RecordType: titleMarker},
	}
	for _, e := range refused {
		err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := db.AppendAudit(ctx, tx, e); return err })
		if err == nil {
			t.Errorf("an entry carrying a value was appended: %+v", e)
		}
		if err != nil && strings.Contains(strings.ToLower(err.Error()), "zqx") {
			t.Errorf("the error repeats the value: %v", err)
		}
	}
	// Two appended here, one by the case service for the create.
	if n := countRows(t, raw, "audit_entries"); n != 3 {
		t.Fatalf("audit entries = %d, want 3", n)
	}
	dump := strings.ToLower(string(dumpTable(t, raw, "audit_entries")))
	if !strings.Contains(dump, c.ID) || !strings.Contains(dump, "investigation 2026/17") {
		t.Fatalf("the dump does not hold the entries: %q", dump)
	}
	for _, m := range []string{"zqx", "marker", "kiln"} {
		if strings.Contains(dump, m) {
			t.Errorf("the audit tables contain %q", m)
		}
	}
	// The hash table holds random-looking bytes: a three-letter marker
	// turns up in them by chance once in a few hundred runs, so it is
	// searched for the whole values, case and all.
	hashes := string(dumpTable(t, raw, "audit_hashes"))
	for _, m := range []string{refMarker, titleMarker, nameMarker} {
		if strings.Contains(hashes, m) {
			t.Errorf("the audit hashes contain %q", m)
		}
	}
	// The markers are in the database, so the grep could have found them.
	if !strings.Contains(strings.ToLower(string(dumpTable(t, raw, "cases"))), "zqx") {
		t.Fatal("the case's markers are not in the cases table: the grep proves nothing")
	}
}

// testAuditVerify (R-AU3): verify recomputes the tree, and checks the
// latest signed checkpoint by a consistency proof.
func testAuditVerify(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	c, key, sink := NewCheckpointer(t)
	if res, err := VerifyAudit(t, db, key, sink); err != nil || res.Size != 0 {
		t.Fatalf("empty log = %+v, %v", res, err)
	}
	AppendAuditEntries(t, db, 25)
	if _, err := VerifyAudit(t, db, key, sink); err == nil {
		t.Fatal("a log with no checkpoint verified")
	}
	cp, published, err := db.PublishAuditCheckpoint(ctx, c)
	if err != nil || !published || cp.Size != 25 {
		t.Fatalf("checkpoint = %+v %v %v", cp, published, err)
	}
	AppendAuditEntries(t, db, 10)
	res, err := VerifyAudit(t, db, key, sink)
	if err != nil || res.Size != 35 || res.Checkpoint.Size != 25 || res.Checkpoints != 1 {
		t.Fatalf("verify = %+v, %v", res, err)
	}
	cp, published, err = db.PublishAuditCheckpoint(ctx, c)
	if err != nil || !published || cp.Size != 35 || cp.Hash != res.Root {
		t.Fatalf("second checkpoint = %+v %v %v, want the root verify computed", cp, published, err)
	}
	if _, published, err := db.PublishAuditCheckpoint(ctx, c); err != nil || published {
		t.Fatalf("checkpoint of an unchanged log = %v, %v", published, err)
	}
	res, err = VerifyAudit(t, db, key, sink)
	if err != nil || res.Checkpoint.Size != 35 || res.Checkpoints != 2 {
		t.Fatalf("verify = %+v, %v", res, err)
	}
	// The periodic publisher: one checkpoint within an interval, and a
	// last one when it stops.
	AppendAuditEntries(t, db, 3)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		db.RunAuditCheckpoints(runCtx, c, 20*time.Millisecond, discardLogger())
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		cps, err := audit.TrustedCheckpoints(sink, key.Verifier())
		if err != nil {
			t.Fatal(err)
		}
		if latest, _ := audit.Latest(cps); latest.Size == 38 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the periodic publisher published nothing")
		}
		time.Sleep(10 * time.Millisecond)
	}
	AppendAuditEntries(t, db, 1)
	stop()
	<-done
	if res, err := VerifyAudit(t, db, key, sink); err != nil || res.Checkpoint.Size != 39 {
		t.Fatalf("after the publisher stopped: %+v, %v; want a final checkpoint of 39", res, err)
	}
}

// testAuditTamper (R-AU4): (a) an edited row fails at its seq; (b) an
// edited row with every later hash recomputed fails against the external
// checkpoint, and the checkpointer refuses to sign it; (c) deleting the
// last 10 entries fails.
func testAuditTamper(t *testing.T, backend string) {
	const n = 30
	tests := []struct {
		name   string
		tamper func(t *testing.T, raw *sql.DB)
		seq    int64
		words  string
	}{
		{"(a) edit one row", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `UPDATE audit_entries SET user_id = 'someone-else' WHERE seq = 17`)
		}, 17, "edited"},
		{"(a) move a row in time", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `UPDATE audit_entries SET at = '2020-01-01 00:00:00+00:00' WHERE seq = 4`)
		}, 4, "edited"},
		{"(a) delete one row", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `DELETE FROM audit_entries WHERE seq = 9`)
		}, 9, "missing"},
		{"(b) edit a row and recompute every hash", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `UPDATE audit_entries SET user_id = 'someone-else' WHERE seq = 17`)
			RewriteAuditHashes(t, raw)
		}, -1, "signed checkpoint"},
		{"(c) delete the last 10 entries and their hashes", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `DELETE FROM audit_entries WHERE seq >= $1`, n-10)
			exec(t, raw, `DELETE FROM audit_hashes WHERE idx >= $1`, tlog.StoredHashCount(n-10))
		}, n - 10, "deleted"},
		{"(c) delete the last 10 entries", func(t *testing.T, raw *sql.DB) {
			exec(t, raw, `DELETE FROM audit_entries WHERE seq >= $1`, n-10)
		}, n - 10, "deleted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			url := NewURL(t, backend)
			db, err := sqlstore.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			AppendAuditEntries(t, db, n)
			c, key, sink := NewCheckpointer(t)
			if _, _, err := db.PublishAuditCheckpoint(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyAudit(t, db, key, sink); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			raw := RawDB(t, url)
			DropAuditTriggers(t, raw, backend)
			tt.tamper(t, raw)
			_, err = VerifyAudit(t, db, key, sink)
			var ve *audit.VerifyError
			if !errors.As(err, &ve) || ve.Seq != tt.seq || !strings.Contains(ve.Problem, tt.words) {
				t.Fatalf("verify = %v, want a failure at seq %d saying %q", err, tt.seq, tt.words)
			}
			if tt.seq == -1 || strings.Contains(tt.name, "(c)") {
				// A fresh checkpointer (as "flare audit checkpoint" is)
				// refuses to bless the rewritten log.
				fresh := audit.NewCheckpointer(key, sink)
				if _, _, err := db.PublishAuditCheckpoint(ctx, fresh); err == nil {
					t.Error("a checkpoint was signed for the rewritten log")
				}
			}
		})
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func exec(t *testing.T, raw *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := raw.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// testAuditConcurrent (R-AU5): 50 writers at once get a gap-free seq, and
// the log verifies. Without the lock on the head, two would read the same
// MAX(seq) and one would fail.
func testAuditConcurrent(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	const writers = 50
	start := make(chan struct{})
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- db.InTx(ctx, func(tx *sql.Tx) error {
				id, err := insertAgency(ctx, tx, fmt.Sprintf("Concurrent %d", i))
				if err != nil {
					return err
				}
				e := AuditEntry(i, id, "")
				e.RecordType, e.RecordID, e.Action = "agency", id, audit.ActionCreate
				_, err = db.AppendAudit(ctx, tx, e)
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("writer failed: %v", err)
		}
	}
	wantSeqs(t, db, writers)
	c, key, sink := NewCheckpointer(t)
	if _, _, err := db.PublishAuditCheckpoint(ctx, c); err != nil {
		t.Fatal(err)
	}
	if res, err := VerifyAudit(t, db, key, sink); err != nil || res.Size != writers {
		t.Fatalf("verify = %+v, %v", res, err)
	}
}

// testAuditKeyNotInDB (R-AU6): the signing key appears nowhere in the
// database, in any encoding, and checkpoints go to the external sink.
func testAuditKeyNotInDB(t *testing.T, url string) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, audit.KeyFileName)
	key, _, err := audit.LoadOrCreateKey(keyPath, audit.DefaultKeyName)
	if err != nil {
		t.Fatal(err)
	}
	sink := audit.NewFileSink(filepath.Join(dir, audit.CheckpointsFileName))
	c := audit.NewCheckpointer(key, sink)
	for range 3 {
		AppendAuditEntries(t, db, 4)
		if _, _, err := db.PublishAuditCheckpoint(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	skey, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	skeyText := strings.TrimSpace(string(skey))
	parts := strings.SplitN(skeyText, "+", 5) // PRIVATE+KEY+name+hash+data
	if len(parts) != 5 {
		t.Fatalf("key file is not a signer key")
	}
	keyData := parts[4]
	rawKey, err := base64.StdEncoding.DecodeString(keyData)
	if err != nil || len(rawKey) != 33 {
		t.Fatalf("key data: %v (%d bytes)", err, len(rawKey))
	}
	seed := rawKey[1:]
	needles := map[string][]byte{
		"signer key":    []byte(skeyText),
		"key data":      []byte(keyData),
		"seed":          seed,
		"seed, hex":     []byte(hex.EncodeToString(seed)),
		"seed, base64":  []byte(base64.StdEncoding.EncodeToString(seed)),
		"seed, \\x hex": []byte(`\x` + hex.EncodeToString(seed)),
	}
	raw := RawDB(t, url)
	haystacks := map[string][]byte{"every table": dumpTables(t, raw, BackendOf(url))}
	if BackendOf(url) == "sqlite" {
		path := strings.TrimPrefix(url, "sqlite:")
		for _, f := range []string{path, path + "-wal"} {
			if b, err := os.ReadFile(f); err == nil {
				haystacks[filepath.Base(f)] = b
			}
		}
	}
	for hname, hay := range haystacks {
		for nname, needle := range needles {
			if bytes.Contains(hay, needle) {
				t.Errorf("%s holds the audit key (%s)", hname, nname)
			}
		}
	}
	// The dump is real: it holds the log's own content.
	if !bytes.Contains(haystacks["every table"], []byte("audit_log")) && !bytes.Contains(haystacks["every table"], []byte("0192e0a0-ca5e")) {
		t.Fatal("the dump does not hold the audit entries")
	}
	notes, err := sink.ReadAll()
	if err != nil || len(notes) != 3 {
		t.Fatalf("the sink holds %d checkpoints, %v; want 3", len(notes), err)
	}
	latest, err := audit.OpenCheckpoint(notes[2], key.Verifier())
	if err != nil || latest.Size != 12 {
		t.Fatalf("latest checkpoint = %+v, %v", latest, err)
	}
}

// testAuditTriggers (R-AU6): UPDATE and DELETE on the audit tables fail
// through a trigger, even for a connection that bypasses the store.
func testAuditTriggers(t *testing.T, url string) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	AppendAuditEntries(t, db, 3)
	raw := RawDB(t, url)
	stmts := []string{
		`UPDATE audit_entries SET user_id = 'x' WHERE seq = 1`,
		`UPDATE audit_entries SET seq = seq + 100`,
		`DELETE FROM audit_entries WHERE seq = 2`,
		`DELETE FROM audit_entries`,
		`UPDATE audit_hashes SET idx = idx + 100 WHERE idx = 0`,
		`DELETE FROM audit_hashes`,
	}
	if BackendOf(url) == "postgres" {
		stmts = append(stmts, `TRUNCATE audit_entries`, `TRUNCATE audit_hashes`)
	}
	for _, s := range stmts {
		_, err := raw.Exec(s)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: error %v, want the append-only trigger's refusal", s, err)
		}
	}
	if n := countRows(t, raw, "audit_entries"); n != 3 {
		t.Errorf("entries = %d after refused changes, want 3", n)
	}
	var user string
	if err := raw.QueryRow(`SELECT user_id FROM audit_entries WHERE seq = 1`).Scan(&user); err != nil || user == "x" {
		t.Errorf("seq 1 user = %q, %v", user, err)
	}
	// INSERT stays allowed: that is how the log grows.
	AppendAuditEntries(t, db, 1)
}

// testAuditExportCSV (R-IH3): the CSV export neutralises formulas, and
// holds every selected entry in seq order.
func testAuditExportCSV(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	AppendAuditEntries(t, db, 8)
	e := AuditEntry(8, "ag", "0192e0a0-ca5e-7000-8000-000000000001")
	e.Justification = `=HYPERLINK("http://evil.example","click")`
	if err := db.InTx(ctx, func(tx *sql.Tx) error { _, err := db.AppendAudit(ctx, tx, e); return err }); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := db.ExportAuditCSV(ctx, &buf, sqlstore.AuditFilter{})
	if err != nil || n != 9 {
		t.Fatalf("export = %d, %v", n, err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 10 {
		t.Fatalf("CSV rows = %d, %v", len(rows), err)
	}
	for i, row := range rows[1:] {
		if row[0] != fmt.Sprint(i) {
			t.Errorf("row %d has seq %s", i, row[0])
		}
	}
	if got := rows[9][len(rows[9])-1]; got != "'"+e.Justification {
		t.Errorf("justification cell = %q, want it neutralised", got)
	}
	buf.Reset()
	n, err = db.ExportAuditCSV(ctx, &buf, sqlstore.AuditFilter{CaseID: "0192e0a0-ca5e-7000-8000-000000000001"})
	if err != nil || n != 3 {
		t.Fatalf("export of one case = %d, %v; want 3", n, err)
	}
}
