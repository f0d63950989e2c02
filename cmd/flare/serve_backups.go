package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"filippo.io/age"

	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore"
)

// scheduleFlags configure the backups serve takes by itself. With no
// directory there are none; operators who back up from cron use
// "flare backup" instead.
type scheduleFlags struct {
	dir       string
	recipient string
	interval  time.Duration
	daily     int
	weekly    int
}

// scheduleEnv maps the schedule flags to their environment variables.
var scheduleEnv = map[string]string{
	"backup-dir": "FLARE_BACKUP_DIR", "backup-recipient": "FLARE_BACKUP_RECIPIENT",
	"backup-interval": "FLARE_BACKUP_INTERVAL", "backup-keep-daily": "FLARE_BACKUP_KEEP_DAILY",
	"backup-keep-weekly": "FLARE_BACKUP_KEEP_WEEKLY",
}

func (f *scheduleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "backup-dir", "", "`directory` for scheduled encrypted backups, best on another disk; empty means none (env FLARE_BACKUP_DIR)")
	fs.StringVar(&f.recipient, "backup-recipient", "", "age `recipient` the scheduled backups are encrypted to, as \"flare backup keygen\" prints (env FLARE_BACKUP_RECIPIENT)")
	fs.DurationVar(&f.interval, "backup-interval", 24*time.Hour, "time between scheduled backups (env FLARE_BACKUP_INTERVAL)")
	fs.IntVar(&f.daily, "backup-keep-daily", 7, "daily backups kept (env FLARE_BACKUP_KEEP_DAILY)")
	fs.IntVar(&f.weekly, "backup-keep-weekly", 4, "weekly backups kept (env FLARE_BACKUP_KEEP_WEEKLY)")
}

// check validates the settings before anything starts.
func (f *scheduleFlags) check() (age.Recipient, error) {
	if f.dir == "" {
		return nil, nil
	}
	if f.recipient == "" {
		return nil, usageError("backup-recipient", "is required with -backup-dir")
	}
	r, err := backup.ParseRecipient(f.recipient)
	if err != nil {
		return nil, usageError("backup-recipient", "%v", err)
	}
	if f.interval < time.Minute {
		return nil, usageError("backup-interval", "must be at least 1m")
	}
	if f.daily < 1 || f.weekly < 0 {
		return nil, usageError("backup-keep-daily", "keep at least one daily backup, and no negative number of weekly ones")
	}
	return r, nil
}

// start runs the scheduled backups until ctx ends; the returned func waits
// for them, so a backup cut off by shutdown removes its plain copy before
// the database closes. It does nothing without a directory.
func (f *scheduleFlags) start(ctx context.Context, store *sqlstore.DB, r age.Recipient, key *audit.Key, checkpoints string, logger *slog.Logger) (wait func()) {
	if r == nil {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		cfg := sqlstore.BackupSchedule{Dir: f.dir, Recipients: []age.Recipient{r}, Interval: f.interval,
			Keep: backup.Retention{Daily: f.daily, Weekly: f.weekly}, AuditKey: key, Checkpoints: audit.NewFileSink(checkpoints)}
		if err := store.RunScheduledBackups(ctx, cfg, logger); err != nil {
			logger.Error("scheduled backups stopped", "err", err)
		}
	}()
	return func() { <-done }
}
