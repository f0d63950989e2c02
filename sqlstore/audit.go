package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare/audit"
)

// This file stores the audit log of package audit: entries and the Merkle
// tree hashes, appended inside the caller's transaction so that an action
// and its record commit or roll back together (checklist R-AU1).

// lockAuditLog needs no statement on SQLite: every read-write transaction
// begins IMMEDIATE (see sqliteDSN), so it already holds the one write lock.
func (sqliteDialect) lockAuditLog(context.Context, *sql.Tx) error { return nil }

// auditLockKey identifies the audit log's advisory lock among the
// database's advisory locks ("flareaud" in ASCII).
const auditLockKey int64 = 0x666c617265617564

// lockAuditLog takes a transaction-scoped advisory lock on PostgreSQL. It is
// held until the caller's transaction ends, and the next appender reads
// MAX(seq) only after it has the lock, in a new READ COMMITTED snapshot
// that sees the previous append.
func (postgresDialect) lockAuditLog(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, auditLockKey)
	return err
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling
// back otherwise. It is how a caller outside this package makes an action
// and its audit entry (AppendAudit) one unit.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTx(ctx, fn)
}

const auditColumns = `seq, at, user_id, agency_id, console, session_id, action, outcome,
	record_type, record_id, case_id, fields, justification`

// AppendAudit appends e to the audit log inside tx, the caller's
// transaction, and returns its seq. It sets e.Seq, and e.At to the store's
// clock when zero. The entry exists if and only if tx commits.
//
// Appends are serialised from here until tx ends (an advisory lock on
// PostgreSQL; SQLite's single writer), so call it after the business write,
// late in the transaction. On PostgreSQL the transaction must be READ
// COMMITTED, the default.
func (db *DB) AppendAudit(ctx context.Context, tx *sql.Tx, e audit.Entry) (int64, error) {
	if tx == nil {
		return 0, errors.New("append audit entry: no transaction: the entry must commit with the action it records")
	}
	e = e.Normalized()
	if e.At.IsZero() {
		e.At = db.now().UTC().Truncate(time.Microsecond)
	}
	if err := e.Validate(); err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	if err := db.dialect.lockAuditLog(ctx, tx); err != nil {
		return 0, fmt.Errorf("append audit entry: lock the log: %w", db.dialect.translate(err))
	}
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries`).Scan(&e.Seq); err != nil {
		return 0, fmt.Errorf("append audit entry: next seq: %w", db.dialect.translate(err))
	}
	data, err := audit.Encode(e)
	if err != nil {
		return 0, fmt.Errorf("append audit entry %d: %w", e.Seq, err)
	}
	snap := &auditSnapshot{tx: tx}
	hashes, err := tlog.StoredHashes(e.Seq, data, snap.reader(ctx))
	if err != nil {
		return 0, fmt.Errorf("append audit entry %d: tree hashes: %w", e.Seq, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_entries (`+auditColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.At, e.UserID, e.AgencyID, e.Console, e.SessionID, string(e.Action), string(e.Outcome),
		e.RecordType, e.RecordID, e.CaseID, strings.Join(e.Fields, ","), e.Justification)
	if err != nil {
		return 0, fmt.Errorf("append audit entry %d: %w", e.Seq, db.dialect.translate(err))
	}
	base := tlog.StoredHashIndex(0, e.Seq)
	values := make([]string, len(hashes))
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		values[i] = fmt.Sprintf("($%d, $%d)", 2*i+1, 2*i+2)
		args = append(args, base+int64(i), h[:])
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_hashes (idx, hash) VALUES `+strings.Join(values, ", "), args...); err != nil {
		return 0, fmt.Errorf("append audit entry %d: store tree hashes: %w", e.Seq, db.dialect.translate(err))
	}
	return e.Seq, nil
}

// auditSnapshot reads the log inside one transaction; it implements
// audit.LogReader (and so audit.TreeReader).
type auditSnapshot struct{ tx *sql.Tx }

var _ audit.LogReader = (*auditSnapshot)(nil)

// withAuditSnapshot runs fn on a read-only snapshot of the log: REPEATABLE
// READ on PostgreSQL; a deferred read transaction in WAL mode on SQLite,
// which does not block writers.
func (db *DB) withAuditSnapshot(ctx context.Context, fn func(*auditSnapshot) error) error {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin audit log snapshot: %w", err)
	}
	defer tx.Rollback()
	return fn(&auditSnapshot{tx: tx})
}

// TreeSize implements audit.TreeReader.
func (s *auditSnapshot) TreeSize(ctx context.Context) (int64, error) {
	var n int64
	if err := s.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq) + 1, 0) FROM audit_entries`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit log size: %w", err)
	}
	return n, nil
}

// ReadHashes implements audit.TreeReader.
func (s *auditSnapshot) ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	marks := make([]string, len(indexes))
	args := make([]any, len(indexes))
	for i, idx := range indexes {
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = idx
	}
	rows, err := s.tx.QueryContext(ctx, `SELECT idx, hash FROM audit_hashes WHERE idx IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit tree hashes: %w", err)
	}
	got, err := scanStoredHashes(rows)
	if err != nil {
		return nil, err
	}
	byIndex := make(map[int64]tlog.Hash, len(got))
	for _, h := range got {
		byIndex[h.Index] = h.Hash
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := byIndex[idx]
		if !ok {
			return nil, fmt.Errorf("audit tree hash %d is missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

// ReadHashRange implements audit.LogReader.
func (s *auditSnapshot) ReadHashRange(ctx context.Context, lo, hi int64) ([]audit.StoredHash, error) {
	rows, err := s.tx.QueryContext(ctx, `SELECT idx, hash FROM audit_hashes WHERE idx >= $1 AND idx < $2 ORDER BY idx`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("read audit tree hashes: %w", err)
	}
	return scanStoredHashes(rows)
}

func scanStoredHashes(rows *sql.Rows) ([]audit.StoredHash, error) {
	defer rows.Close()
	var out []audit.StoredHash
	for rows.Next() {
		var h audit.StoredHash
		var b []byte
		if err := rows.Scan(&h.Index, &b); err != nil {
			return nil, fmt.Errorf("read audit tree hashes: %w", err)
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("audit tree hash %d has %d bytes, want %d", h.Index, len(b), tlog.HashSize)
		}
		copy(h.Hash[:], b)
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit tree hashes: %w", err)
	}
	return out, nil
}

// ReadEntries implements audit.LogReader.
func (s *auditSnapshot) ReadEntries(ctx context.Context, from int64, limit int) ([]audit.Entry, error) {
	rows, err := s.tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries
		WHERE seq >= $1 ORDER BY seq LIMIT $2`, from, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit entries from %d: %w", from, err)
	}
	return scanAuditEntries(rows)
}

// reader adapts the snapshot to tlog.HashReader, which takes no context.
func (s *auditSnapshot) reader(ctx context.Context) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		return s.ReadHashes(ctx, indexes)
	})
}

func scanAuditEntries(rows *sql.Rows) ([]audit.Entry, error) {
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var action, outcome, fields string
		if err := rows.Scan(&e.Seq, &e.At, &e.UserID, &e.AgencyID, &e.Console, &e.SessionID, &action, &outcome,
			&e.RecordType, &e.RecordID, &e.CaseID, &fields, &e.Justification); err != nil {
			return nil, fmt.Errorf("read audit entries: %w", err)
		}
		e.At = e.At.UTC()
		e.Action, e.Outcome = audit.Action(action), audit.Outcome(outcome)
		if fields != "" {
			e.Fields = strings.Split(fields, ",")
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit entries: %w", err)
	}
	return out, nil
}

// VerifyAudit checks the whole log against the trusted checkpoints (see
// audit.Verify and audit.TrustedCheckpoints) on one snapshot. Evidence of
// tampering comes back as an *audit.VerifyError.
func (db *DB) VerifyAudit(ctx context.Context, trusted []audit.Checkpoint) (audit.Result, error) {
	var res audit.Result
	err := db.withAuditSnapshot(ctx, func(s *auditSnapshot) error {
		var err error
		res, err = audit.Verify(ctx, s, trusted)
		return err
	})
	return res, err
}

// PublishAuditCheckpoint signs and publishes a checkpoint of the log as
// committed now, unless it has not grown (see audit.Checkpointer.Publish).
// It is safe to call from several goroutines and instances.
func (db *DB) PublishAuditCheckpoint(ctx context.Context, c *audit.Checkpointer) (audit.Checkpoint, bool, error) {
	var cp audit.Checkpoint
	var published bool
	err := db.withAuditSnapshot(ctx, func(s *auditSnapshot) error {
		var err error
		cp, published, err = c.Publish(ctx, s)
		return err
	})
	return cp, published, err
}

// RunAuditCheckpoints publishes a checkpoint every interval while the log
// grows, and once more when ctx ends, so that entries are covered by a
// signed checkpoint within one interval of their commit. Entries not yet
// covered are protected only by the database's own access control; keep
// the interval short. A refusal to sign (the log no longer extends the last
// checkpoint) is logged at error level on every attempt: it is an alarm.
func (db *DB) RunAuditCheckpoints(ctx context.Context, c *audit.Checkpointer, interval time.Duration, logger *slog.Logger) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	publish := func(ctx context.Context) {
		cp, published, err := db.PublishAuditCheckpoint(ctx, c)
		switch {
		case err != nil:
			logger.Error("audit checkpoint failed", "err", err)
		case published:
			logger.Debug("audit checkpoint published", "size", cp.Size, "root", cp.Hash.String())
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			publish(final)
			cancel()
			return
		case <-t.C:
			publish(ctx)
		}
	}
}

// AuditFilter selects entries of the log. Empty fields select everything.
type AuditFilter struct {
	CaseID     string
	RecordType string
	RecordID   string
	UserID     string
	AgencyID   string
	Action     audit.Action
	// Before, when above 0, keeps entries with seq < Before: the cursor
	// for the next page of AuditEntries.
	Before int64
	// Limit caps AuditEntries (default and maximum 500); ExportAuditCSV
	// ignores it.
	Limit int
}

const maxAuditList = 500

func (f AuditFilter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(col string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	for _, c := range []struct{ col, v string }{
		{"case_id", f.CaseID}, {"record_type", f.RecordType}, {"record_id", f.RecordID},
		{"user_id", f.UserID}, {"agency_id", f.AgencyID}, {"action", string(f.Action)},
	} {
		if c.v != "" {
			add(c.col, c.v)
		}
	}
	if f.Before > 0 {
		args = append(args, f.Before)
		conds = append(conds, fmt.Sprintf("seq < $%d", len(args)))
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// AuditEntries returns the entries f selects, newest first: for example
// who read a case, and when (f.CaseID and f.Action = audit.ActionRead).
// It applies no access rule: the service that calls it must ask the policy
// first.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]audit.Entry, error) {
	if f.Limit <= 0 || f.Limit > maxAuditList {
		f.Limit = maxAuditList
	}
	where, args := f.where()
	rows, err := db.sql.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries`+where+
		fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return scanAuditEntries(rows)
}

// ExportAuditCSV writes every entry f selects, oldest first, to w as CSV
// with formula injection neutralised (audit.CSVWriter), from one snapshot,
// and returns how many it wrote. It applies no access rule, and does not
// record the export: the caller appends that entry (before, so that a
// failed export is over-reported rather than hidden).
func (db *DB) ExportAuditCSV(ctx context.Context, w io.Writer, f AuditFilter) (int64, error) {
	cw := audit.NewCSVWriter(w)
	var n int64
	err := db.withAuditSnapshot(ctx, func(s *auditSnapshot) error {
		for from := int64(0); ; {
			where, args := f.where()
			args = append(args, from)
			cond := fmt.Sprintf("seq >= $%d", len(args))
			if where == "" {
				where = " WHERE " + cond
			} else {
				where += " AND " + cond
			}
			rows, err := s.tx.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_entries`+where+
				fmt.Sprintf(` ORDER BY seq LIMIT %d`, maxAuditList), args...)
			if err != nil {
				return fmt.Errorf("export audit entries: %w", err)
			}
			page, err := scanAuditEntries(rows)
			if err != nil {
				return err
			}
			for _, e := range page {
				if err := cw.Write(e); err != nil {
					return err
				}
				n++
			}
			if len(page) < maxAuditList || page[len(page)-1].Seq == math.MaxInt64 {
				return nil
			}
			from = page[len(page)-1].Seq + 1
		}
	})
	if err != nil {
		return n, err
	}
	return n, cw.Flush()
}
