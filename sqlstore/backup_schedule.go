package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/backup"
)

// This file runs the backups the server takes by itself, so that an
// operator who configures a directory and a recipient gets backups, and
// their retention, without a cron job of their own.

// BackupSchedule configures the backups the server takes by itself.
type BackupSchedule struct {
	// Dir receives the backups, named backup.FileName(time); it is created
	// 0700. Put it on another disk than the database, or sync it off-site.
	Dir string
	// Recipients may decrypt the backups; their identities are kept off
	// the server.
	Recipients []age.Recipient
	// Interval between backups (at least a minute); a backup is taken at
	// start when the newest in Dir is older than that.
	Interval time.Duration
	// Keep says which backups in Dir survive each new one.
	Keep backup.Retention
	// AuditKey and Checkpoints, when set, make each backup's audit tree a
	// signed checkpoint (see CheckpointBackup), which a restore needs to
	// prove its log against later checkpoints.
	AuditKey    *audit.Key
	Checkpoints audit.Sink
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// RunScheduledBackups takes a backup into cfg.Dir every cfg.Interval and
// then deletes the backups cfg.Keep does not keep, until ctx ends. With
// several instances on one PostgreSQL database exactly one of them does it:
// the one holding the "backups" job lock (see RunExclusive); the others
// stand by and one takes over if it stops. Failures are logged at error
// level and retried at the next check; a failed backup leaves no file.
// It returns at once with an error only when cfg is unusable.
func (db *DB) RunScheduledBackups(ctx context.Context, cfg BackupSchedule, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Dir == "" || len(cfg.Recipients) == 0 || cfg.Interval < time.Minute {
		return flare.Errorf(flare.EINVALID, "scheduled backups need a directory, a recipient and an interval of at least a minute")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return fmt.Errorf("backup directory: %w", err)
	}
	// Check often, so that a backup missed while the server was down, or
	// while another instance held the lock and died, is taken soon after.
	check := min(cfg.Interval, time.Minute)
	db.RunExclusive(ctx, "backups", check, logger, func(ctx context.Context) {
		t := time.NewTicker(check)
		defer t.Stop()
		for {
			if err := db.scheduledBackup(ctx, cfg, logger); err != nil && ctx.Err() == nil {
				logger.Error("scheduled backup failed", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	return nil
}

// scheduledBackup takes a backup if the newest in cfg.Dir is at least
// cfg.Interval old, then applies retention.
func (db *DB) scheduledBackup(ctx context.Context, cfg BackupSchedule, logger *slog.Logger) error {
	names, times, err := listBackups(cfg.Dir)
	if err != nil {
		return err
	}
	now := cfg.Now().UTC().Truncate(time.Second)
	if len(times) > 0 && now.Sub(slices.MaxFunc(times, time.Time.Compare)) < cfg.Interval {
		return nil
	}
	out := filepath.Join(cfg.Dir, backup.FileName(now))
	start := time.Now()
	m, err := db.Backup(ctx, out, cfg.Recipients...)
	if err != nil {
		return err
	}
	logger.Info("scheduled backup written", "file", out, "audit_size", m.AuditSize, "seconds", time.Since(start).Seconds())
	if cfg.AuditKey != nil && cfg.Checkpoints != nil {
		if _, err := db.CheckpointBackup(ctx, m, cfg.AuditKey, cfg.Checkpoints); err != nil {
			logger.Error("scheduled backup: checkpoint of its audit tree", "file", out, "err", err)
		}
	}
	names, times = append(names, out), append(times, now)
	keep := cfg.Keep.Keep(times)
	for i, name := range names {
		if keep[i] {
			continue
		}
		if err := os.Remove(name); err != nil {
			logger.Error("scheduled backup: retention", "file", name, "err", err)
			continue
		}
		logger.Info("scheduled backup removed by retention", "file", name)
	}
	return nil
}

// listBackups returns the scheduled backups in dir and their times.
func listBackups(dir string) ([]string, []time.Time, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("list backups: %w", err)
	}
	var names []string
	var times []time.Time
	for _, e := range entries {
		if t, ok := backup.ParseFileName(e.Name()); ok && e.Type().IsRegular() {
			names, times = append(names, filepath.Join(dir, e.Name())), append(times, t)
		}
	}
	return names, times, nil
}
