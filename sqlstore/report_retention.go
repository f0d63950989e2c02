package sqlstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
)

// DefaultReportRetention is how long a report never turned into a case is
// kept (issue #4: "default 365 days").
const DefaultReportRetention = 365 * 24 * time.Hour

// ReportRetentionJob names the retention job among scheduled jobs.
const ReportRetentionJob = "report-retention"

// purgeBatch bounds one purge pass, so one pass never holds the database
// for long.
const purgeBatch = 200

// PurgeReports deletes the reports created before cutoff that never became
// part of a case, with their messages and attachments, and destroys their
// data keys so older backups cannot open them either. Each deletion is
// audited in its own transaction. It returns how many it deleted.
func (s *ReportService) PurgeReports(ctx context.Context, cutoff time.Time) (int, error) {
	deleted := 0
	for {
		rows, err := s.db.sql.QueryContext(ctx, `SELECT id FROM reports WHERE case_id IS NULL AND created_at < $1
			ORDER BY created_at LIMIT $2`, cutoff.UTC(), purgeBatch)
		if err != nil {
			return deleted, fmt.Errorf("find expired reports: %w", s.db.dialect.translate(err))
		}
		var ids []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return deleted, fmt.Errorf("scan expired report: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return deleted, fmt.Errorf("find expired reports: %w", err)
		}
		for _, id := range ids {
			if err := s.purge(ctx, id, cutoff); err != nil {
				return deleted, err
			}
			deleted++
		}
		if len(ids) < purgeBatch {
			return deleted, nil
		}
	}
}

// purge deletes one report, rechecking in the transaction that it is
// still unlinked (a case may have been opened meanwhile).
func (s *ReportService) purge(ctx context.Context, id string, cutoff time.Time) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM report_attachments WHERE report_id IN
			(SELECT id FROM reports WHERE id = $1 AND case_id IS NULL AND created_at < $2)`, id, cutoff.UTC())
		if err != nil {
			return fmt.Errorf("delete attachments: %w", s.db.dialect.translate(err))
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_messages WHERE report_id IN
			(SELECT id FROM reports WHERE id = $1 AND case_id IS NULL AND created_at < $2)`, id, cutoff.UTC()); err != nil {
			return fmt.Errorf("delete messages: %w", s.db.dialect.translate(err))
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM reports WHERE id = $1 AND case_id IS NULL AND created_at < $2`, id, cutoff.UTC())
		if err != nil {
			return fmt.Errorf("delete report: %w", s.db.dialect.translate(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionDelete, recordType: "report", recordID: id,
			justification: "retention period passed without a case"}); err != nil {
			return err
		}
		return s.keys.DestroyDataKey(ctx, tx, "report", id)
	})
}

// RunReportRetention purges expired reports now and then every interval
// until ctx ends. Run it under RunExclusive so one instance does it.
func (s *ReportService) RunReportRetention(ctx context.Context, retention, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.PurgeReports(ctx, s.db.now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("report retention", "err", err.Error())
		case n > 0:
			logger.Info("report retention: deleted reports never turned into a case", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// partnerKeyHash is what the database keeps of a partner's API key. The
// key is 256 random bits, so a plain SHA-256 cannot be reversed by
// guessing; a slow hash would only slow every API call.
func partnerKeyHash(key string) string {
	h := sha256.Sum256([]byte("flare/partner-key/v1\x00" + key))
	return hex.EncodeToString(h[:])
}

// CreatePartner registers a partner organisation and returns its API key,
// which is shown once and stored only as a hash. Console only.
func (s *ReportService) CreatePartner(ctx context.Context, name string) (*flare.Partner, string, error) {
	if a, ok := flare.ActorFrom(ctx); !ok || !a.Console {
		return nil, "", flare.Errorf(flare.EFORBIDDEN, "partners are created at the server's console")
	}
	name = flare.CleanLine(name)
	if name == "" || len(name) > 200 {
		return nil, "", flare.FieldError("name", "is required (at most 200 characters)")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", fmt.Errorf("partner key: %w", err)
	}
	key := "flp_" + hex.EncodeToString(b[:])
	id, err := newID()
	if err != nil {
		return nil, "", err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO partners (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)`,
			id, name, partnerKeyHash(key), s.db.now().UTC()); err != nil {
			return fmt.Errorf("insert partner: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "partner", recordID: id, fields: []string{"key", "name"}})
	})
	if err != nil {
		return nil, "", err
	}
	return &flare.Partner{ID: id, Name: name}, key, nil
}

// PartnerByKey returns the active partner whose API key is key.
func (s *ReportService) PartnerByKey(ctx context.Context, key string) (*flare.Partner, error) {
	var p flare.Partner
	err := s.db.sql.QueryRowContext(ctx, `SELECT id, name FROM partners WHERE key_hash = $1 AND disabled_at IS NULL`,
		partnerKeyHash(key)).Scan(&p.ID, &p.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.EUNAUTHORIZED, "unknown or disabled API key")
	}
	if err != nil {
		return nil, fmt.Errorf("find partner: %w", s.db.dialect.translate(err))
	}
	return &p, nil
}
