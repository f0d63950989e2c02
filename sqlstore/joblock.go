package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"time"
)

// This file lets several instances on one database agree on which of them
// runs a scheduled job (audit checkpoints, later retention and backups): a
// session-level advisory lock on PostgreSQL, held on a connection of its
// own for as long as the job runs. If the instance dies, PostgreSQL drops
// the connection and with it the lock, and another instance takes over.
// SQLite serves one instance per database file, so the lock is always
// granted there.

// jobLocker is the part of a dialect that takes job locks. It stays apart
// from the dialect interface so that a backend without it fails loudly.
type jobLocker interface {
	// tryJobLock takes the lock key on conn without waiting and reports
	// whether it got it; conn is nil when the backend needs none.
	tryJobLock(ctx context.Context, conn *sql.Conn, key int64) (bool, error)
	// releaseJobLock gives the lock back.
	releaseJobLock(ctx context.Context, conn *sql.Conn, key int64) error
	// needsConn says whether the lock lives on a dedicated connection.
	needsConn() bool
	// lockScope names the installation within the database server, so
	// that installations in different schemas never share a job lock.
	lockScope(ctx context.Context, conn *sql.Conn) (string, error)
}

func (sqliteDialect) tryJobLock(context.Context, *sql.Conn, int64) (bool, error) { return true, nil }
func (sqliteDialect) releaseJobLock(context.Context, *sql.Conn, int64) error     { return nil }
func (sqliteDialect) needsConn() bool                                            { return false }
func (sqliteDialect) lockScope(context.Context, *sql.Conn) (string, error)       { return "", nil }

func (postgresDialect) tryJobLock(ctx context.Context, conn *sql.Conn, key int64) (bool, error) {
	var ok bool
	err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok)
	return ok, err
}

func (postgresDialect) releaseJobLock(ctx context.Context, conn *sql.Conn, key int64) error {
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_advisory_unlock($1)`, key).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return errors.New("the lock was not held")
	}
	return nil
}

func (postgresDialect) needsConn() bool { return true }

// lockScope is the schema the tables live in: advisory locks are per
// database, and several installations (or test runs) may share one.
func (postgresDialect) lockScope(ctx context.Context, conn *sql.Conn) (string, error) {
	var schema string
	err := conn.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema)
	return schema, err
}

// jobLockKey maps a job name in a scope (the schema) into the advisory lock
// space: the FNV-1a hash of "flare-job:SCOPE:NAME". The prefix keeps it
// apart from the audit log's lock and goose's migration lock, which use
// fixed keys.
func jobLockKey(scope, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("flare-job:" + scope + ":" + name))
	return int64(h.Sum64())
}

// JobLock is the right to run one scheduled job, held by one instance at a
// time. Release it when the job stops.
type JobLock struct {
	db   *DB
	name string
	key  int64
	conn *sql.Conn // the connection holding the lock; nil on SQLite
}

// TryJobLock takes the lock of the job called name without waiting. It
// returns ok false, and no error, when another instance holds it.
func (db *DB) TryJobLock(ctx context.Context, name string) (lock *JobLock, ok bool, err error) {
	locker, isLocker := db.dialect.(jobLocker)
	if !isLocker {
		return nil, false, fmt.Errorf("job lock %q: the %s backend has no job locks", name, db.dialect.name())
	}
	l := &JobLock{db: db, name: name}
	if locker.needsConn() {
		if l.conn, err = db.sql.Conn(ctx); err != nil {
			return nil, false, fmt.Errorf("job lock %q: connection: %w", name, err)
		}
	}
	scope, err := locker.lockScope(ctx, l.conn)
	got := false
	if err == nil {
		l.key = jobLockKey(scope, name)
		got, err = locker.tryJobLock(ctx, l.conn, l.key)
	}
	if err != nil || !got {
		if l.conn != nil {
			l.conn.Close()
		}
		if err != nil {
			return nil, false, fmt.Errorf("job lock %q: %w", name, err)
		}
		return nil, false, nil
	}
	return l, true, nil
}

// Alive checks that the lock is still held: on PostgreSQL, that its
// connection still answers. A dropped connection has lost the lock, and
// another instance may have taken the job over.
func (l *JobLock) Alive(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	if err := l.conn.PingContext(ctx); err != nil {
		return fmt.Errorf("job lock %q lost: %w", l.name, err)
	}
	return nil
}

// Release gives the lock back and frees its connection. It is safe to call
// more than once.
func (l *JobLock) Release() error {
	if l == nil || l.conn == nil {
		return nil
	}
	conn := l.conn
	l.conn = nil
	defer conn.Close()
	// The job's context is usually cancelled by now; the unlock must still
	// go out, or the lock stays held until the connection is recycled.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := l.db.dialect.(jobLocker).releaseJobLock(ctx, conn, l.key); err != nil {
		// Close returns a connection to the pool; make the pool drop it
		// instead, since closing the session is what frees its locks.
		conn.Raw(func(any) error { return driver.ErrBadConn })
		return fmt.Errorf("release job lock %q: %w", l.name, err)
	}
	return nil
}

// RunExclusive runs job on one instance at a time: it tries the job lock
// every retry until it gets it or ctx ends, logs which instance runs the
// job, and runs job with a context that is cancelled when ctx ends or the
// lock is lost (checked every retry). When job returns after a lost lock,
// RunExclusive competes for the lock again; otherwise it returns.
func (db *DB) RunExclusive(ctx context.Context, name string, retry time.Duration, logger *slog.Logger, job func(ctx context.Context)) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(retry)
	defer t.Stop()
	waiting := false
	for {
		lock, ok, err := db.TryJobLock(ctx, name)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.Error("scheduled job: cannot take its lock", "job", name, "err", err)
		case ok:
			logger.Info("scheduled job running on this instance", "job", name)
			lost := db.runHolding(ctx, lock, retry, job)
			if err := lock.Release(); err != nil && !lost {
				logger.Warn("scheduled job: release lock", "job", name, "err", err)
			}
			if !lost {
				return
			}
			logger.Error("scheduled job: lock lost; competing for it again", "job", name)
			waiting = false
			continue
		case !waiting:
			logger.Info("scheduled job runs on another instance; standing by", "job", name)
			waiting = true
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runHolding runs job while checking every retry that lock is still held,
// and reports whether it stopped the job because the lock was lost.
func (db *DB) runHolding(ctx context.Context, lock *JobLock, retry time.Duration, job func(ctx context.Context)) (lost bool) {
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		job(jobCtx)
	}()
	t := time.NewTicker(retry)
	defer t.Stop()
	for {
		select {
		case <-done:
			return false
		case <-ctx.Done():
			<-done
			return false
		case <-t.C:
			if err := lock.Alive(ctx); err != nil && ctx.Err() == nil {
				cancel()
				<-done
				return true
			}
		}
	}
}
