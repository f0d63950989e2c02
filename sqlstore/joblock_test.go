package sqlstore_test

import (
	"context"
	"database/sql"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// openTwice opens two handles on one database, as two instances would.
func openTwice(t *testing.T, dbURL string) (a, b *sqlstore.DB) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []**sqlstore.DB{&a, &b} {
		db, err := sqlstore.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		*p = db
	}
	return a, b
}

// TestJobLock: on PostgreSQL one instance holds a job's lock at a time and
// a dead instance's lock is freed; on SQLite (one instance per file) the
// lock is always granted.
func TestJobLock(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		a, b := openTwice(t, dbURL)
		exclusive := storetest.BackendOf(dbURL) == "postgres"

		la, ok, err := a.TryJobLock(ctx, "retention")
		if err != nil || !ok {
			t.Fatalf("first lock = %v, %v", ok, err)
		}
		lb, ok, err := b.TryJobLock(ctx, "retention")
		if err != nil {
			t.Fatal(err)
		}
		if ok == exclusive {
			t.Fatalf("second instance got the held lock = %v, want %v", ok, !exclusive)
		}
		lb.Release()
		// Another job's lock is independent.
		lo, ok, err := b.TryJobLock(ctx, "backups")
		if err != nil || !ok {
			t.Fatalf("other job's lock = %v, %v", ok, err)
		}
		lo.Release()
		if err := la.Alive(ctx); err != nil {
			t.Fatalf("held lock not alive: %v", err)
		}
		if err := la.Release(); err != nil {
			t.Fatal(err)
		}
		if err := la.Release(); err != nil {
			t.Fatalf("second release: %v", err)
		}
		lb, ok, err = b.TryJobLock(ctx, "retention")
		if err != nil || !ok {
			t.Fatalf("lock after release = %v, %v", ok, err)
		}
		if !exclusive {
			return
		}
		// An instance that dies holding the lock frees it: PostgreSQL
		// ends its session (here: terminates the backend, as a crash
		// would drop the connection), and the holder notices.
		terminateHolder(t, a, "retention")
		if err := lb.Alive(ctx); err == nil {
			t.Error("a lock whose session was killed still says it is alive")
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			lc, ok, err := a.TryJobLock(ctx, "retention")
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				lc.Release()
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("a dead instance's job lock was never freed")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestRunExclusive: with two instances competing, the job runs on exactly
// one on PostgreSQL, and the other takes it over when the first stops.
func TestRunExclusive(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		a, b := openTwice(t, dbURL)
		exclusive := storetest.BackendOf(dbURL) == "postgres"
		var running, maxRunning, started, holder atomic.Int32
		jobBody := func(ctx context.Context) {
			started.Add(1)
			n := running.Add(1)
			for {
				m := maxRunning.Load()
				if n <= m || maxRunning.CompareAndSwap(m, n) {
					break
				}
			}
			<-ctx.Done()
			running.Add(-1)
		}
		job := func(id int32) func(ctx context.Context) {
			return func(ctx context.Context) { holder.Store(id); jobBody(ctx) }
		}
		ctxA, stopA := context.WithCancel(context.Background())
		ctxB, stopB := context.WithCancel(context.Background())
		defer stopB()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); a.RunExclusive(ctxA, "reminders", 20*time.Millisecond, nil, job(1)) }()
		go func() { defer wg.Done(); b.RunExclusive(ctxB, "reminders", 20*time.Millisecond, nil, job(2)) }()
		waitFor(t, func() bool { return started.Load() >= 1 })
		time.Sleep(200 * time.Millisecond) // ten retries of the other instance
		want := int32(1)
		if !exclusive {
			want = 2
		}
		if got := maxRunning.Load(); got != want {
			t.Fatalf("job ran on %d instances at once, want %d", got, want)
		}
		if exclusive {
			// The holder stops; the other must take over.
			if holder.Load() == 1 {
				stopA()
			} else {
				stopB()
			}
			waitFor(t, func() bool { return started.Load() == 2 })
			if got := maxRunning.Load(); got != 1 {
				t.Fatalf("job ran on %d instances at once after take-over", got)
			}
		}
		stopA()
		stopB()
		wg.Wait()
	})
}

// terminateHolder ends the PostgreSQL session holding the job lock of name,
// found by its advisory lock key (the FNV-1a hash of
// "flare-job:SCHEMA:NAME" split into two 32-bit halves, as pg_locks shows a
// bigint key).
func terminateHolder(t *testing.T, db *sqlstore.DB, name string) {
	t.Helper()
	var n int
	err := db.InTx(context.Background(), func(tx *sql.Tx) error {
		var schema string
		if err := tx.QueryRow(`SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		h := fnv.New64a()
		h.Write([]byte("flare-job:" + schema + ":" + name))
		key := h.Sum64()
		return tx.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND classid = $1 AND objid = $2 AND objsubid = 1
			AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
			int64(key>>32), int64(key&0xffffffff)).Scan(&n)
	})
	if err != nil || n != 1 {
		t.Fatalf("terminate the lock holder: %d sessions, %v", n, err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
