package sqlstore_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// openMigrated opens and migrates the database at dbURL.
func openMigrated(t *testing.T, dbURL string) *sqlstore.DB {
	t.Helper()
	if storetest.BackendOf(dbURL) == "sqlite" {
		if err := os.MkdirAll(filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:")), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return db
}

// restoreFile restores the artefact at path into dbURL.
func restoreFile(t testing.TB, dbURL, path string, ids ...age.Identity) (backup.Manifest, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return sqlstore.Restore(context.Background(), dbURL, f, ids...)
}

// TestBackupRestore: the manifest describes the snapshot; a restore refuses
// a non-empty target, the wrong identity and a truncated artefact, each
// without leaving anything behind, and otherwise brings back every table as
// it was (checklist R-DU2, R-CR4).
func TestBackupRestore(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		backend := storetest.BackendOf(dbURL)
		db := openMigrated(t, dbURL)
		marker := storetest.SeedForBackup(t, db, 4)
		id, _ := storetest.NewIdentity(t)
		before := storetest.Checksums(t, dbURL)
		version, err := db.SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}

		out := filepath.Join(t.TempDir(), "b.age")
		m, err := db.Backup(ctx, out, id.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		if m.Backend != backend || m.SchemaVersion != version || m.AuditSize != 4 || !reflect.DeepEqual(m.Tables, before) {
			t.Fatalf("manifest = %+v; want backend %s, schema %d, audit size 4 (one per case) and the tables %v", m, backend, version, before)
		}
		if backend == "postgres" && !strings.HasPrefix(m.Schema, "flare_test_") {
			t.Fatalf("manifest schema %q", m.Schema)
		}
		storetest.CheckArtefact(t, out, id, backend, marker)

		if _, err := restoreFile(t, dbURL, out, id); flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), "refusing to restore") {
			t.Fatalf("restore over a live database: %v", err)
		}
		db.Close()
		storetest.Wipe(t, dbURL)

		other, _ := storetest.NewIdentity(t)
		if _, err := restoreFile(t, dbURL, out, other); flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), "not encrypted for the given identity") {
			t.Fatalf("restore with the wrong identity: %v", err)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		cut := filepath.Join(t.TempDir(), "cut.age")
		if err := os.WriteFile(cut, raw[:len(raw)*2/3], 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := restoreFile(t, dbURL, cut, id); err == nil {
			t.Fatal("a truncated backup restored")
		}
		assertEmptyTarget(t, dbURL)

		if _, err := restoreFile(t, dbURL, out, id); err != nil {
			t.Fatal(err)
		}
		if after := storetest.Checksums(t, dbURL); !reflect.DeepEqual(before, after) {
			t.Fatalf("restored tables differ:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// assertEmptyTarget checks that a failed restore left nothing in dbURL.
func assertEmptyTarget(t *testing.T, dbURL string) {
	t.Helper()
	if storetest.BackendOf(dbURL) == "sqlite" {
		path := strings.TrimPrefix(dbURL, "sqlite:")
		entries, _ := os.ReadDir(filepath.Dir(path))
		for _, e := range entries {
			t.Errorf("a failed restore left %s", e.Name())
		}
		return
	}
	u, _ := url.Parse(dbURL)
	raw := storetest.RawDB(t, dbURL)
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
		u.Query().Get("search_path")).Scan(&n); err != nil || n != 0 {
		t.Fatalf("a failed restore left %d relations (%v)", n, err)
	}
}

// TestRestoreAuditAdoption: after a restore, the checkpoints of entries
// written after the backup are set aside only when a signed checkpoint of
// exactly the backup's tree proves the restored log is their prefix. A
// backup of a rewritten log, re-encrypted with a correct manifest (anyone
// with the public recipient can make one), is caught, and the checkpoint
// file is left untouched.
func TestRestoreAuditAdoption(t *testing.T) {
	ctx := context.Background()
	id, _ := storetest.NewIdentity(t)
	c, key, sink := storetest.NewCheckpointer(t)

	dir := t.TempDir()
	liveURL := "sqlite:" + filepath.Join(dir, "live", "flare.db")
	live := openMigrated(t, liveURL)
	storetest.SeedForBackup(t, live, 3)
	if _, _, err := live.PublishAuditCheckpoint(ctx, c); err != nil {
		t.Fatal(err)
	}
	storetest.AppendAuditEntries(t, live, 1)

	// Unchecked: a backup whose tree no checkpoint covers exactly.
	unchecked := filepath.Join(dir, "unchecked.age")
	mUnchecked, err := live.Backup(ctx, unchecked, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	storetest.AppendAuditEntries(t, live, 1)
	// Good: a later tree, checkpointed as flare backup does.
	good := filepath.Join(dir, "good.age")
	m, err := live.Backup(ctx, good, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if published, err := live.CheckpointBackup(ctx, m, key, sink); err != nil || !published {
		t.Fatalf("checkpoint the backup = %v, %v", published, err)
	}
	if published, err := live.CheckpointBackup(ctx, m, key, sink); err != nil || published {
		t.Fatalf("second checkpoint of the same backup = %v, %v; want no new one", published, err)
	}

	// Forged: the backup restored elsewhere, one entry rewritten with
	// every hash recomputed, and backed up again.
	forgedURL := "sqlite:" + filepath.Join(dir, "forged", "flare.db")
	if _, err := restoreFile(t, forgedURL, good, id); err != nil {
		t.Fatal(err)
	}
	raw := storetest.RawDB(t, forgedURL)
	storetest.DropAuditTriggers(t, raw, "sqlite")
	if _, err := raw.Exec(`UPDATE audit_entries SET record_type = 'agency' WHERE seq = 1`); err != nil {
		t.Fatal(err)
	}
	storetest.RewriteAuditHashes(t, raw)
	raw.Close()
	forgedDB := openMigrated(t, forgedURL)
	forged := filepath.Join(dir, "forged.age")
	mForged, err := forgedDB.Backup(ctx, forged, id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if mForged.AuditSize != m.AuditSize || mForged.AuditRoot == m.AuditRoot {
		t.Fatalf("the forgery did not change the root: %+v", mForged)
	}

	// Work after the backup, checkpointed.
	storetest.AppendAuditEntries(t, live, 4)
	if _, _, err := live.PublishAuditCheckpoint(ctx, c); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(sink.Path())
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		artefact string
		m        backup.Manifest
		want     string // error text; "" for success
	}{
		{"forged log", forged, mForged, "do not match the signed checkpoint"},
		{"no checkpoint of the backup's tree", unchecked, mUnchecked, "none of exactly the backup's"},
		{"checkpointed backup", good, m, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := "sqlite:" + filepath.Join(dir, "target", string(rune('a'+i)), "flare.db")
			if _, err := restoreFile(t, target, tt.artefact, id); err != nil {
				t.Fatal(err)
			}
			db := openMigrated(t, target)
			res, err := db.AdoptRestoredAudit(ctx, tt.m, key.Verifier(), sink.Path(), time.Date(2026, 11, 27, 5, 0, 0, int(i), time.UTC))
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("adopt = %+v, %v; want an error saying %q", res, err, tt.want)
				}
				if now, _ := os.ReadFile(sink.Path()); !bytes.Equal(now, before) {
					t.Fatal("a refused adoption changed the checkpoint file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Superseded != 1 || res.LostFrom != m.AuditSize || res.LostTo != m.AuditSize+4 {
				t.Fatalf("adoption = %+v", res)
			}
			if _, err := storetest.VerifyAudit(t, db, key, sink); err != nil {
				t.Fatalf("verify after adoption: %v", err)
			}
			archived, err := os.ReadFile(res.Archive)
			if err != nil || !bytes.Contains(before, archived) {
				t.Fatalf("the archive does not hold the superseded checkpoints verbatim: %v", err)
			}
		})
	}
}

// TestBackupRemovesPlainCopyOnError: the SQLite snapshot is plaintext, so
// it must not outlive the backup, even one that fails half-way.
func TestBackupRemovesPlainCopyOnError(t *testing.T) {
	dir := t.TempDir()
	dbURL := "sqlite:" + filepath.Join(dir, "data", "flare.db")
	db := openMigrated(t, dbURL)
	raw := storetest.RawDB(t, dbURL)
	// Enough data for VACUUM INTO to take a while.
	if _, err := raw.Exec(`CREATE TABLE bulk (b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO bulk SELECT randomblob(10000) FROM n`); err != nil {
		t.Fatal(err)
	}
	id, _ := storetest.NewIdentity(t)
	outDir := filepath.Join(dir, "out")
	if err := os.Mkdir(outDir, 0o700); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		// Cancel as soon as the plain copy exists.
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(filepath.Join(outDir, ".flare-snapshot-*")); len(m) > 0 {
				cancel()
				return
			}
			time.Sleep(100 * time.Microsecond)
		}
	})
	_, err := db.Backup(ctx, filepath.Join(outDir, "b.age"), id.Recipient())
	cancel()
	wg.Wait()
	if err == nil {
		t.Fatal("the backup was not interrupted; the test proves nothing")
	}
	entries, _ := os.ReadDir(outDir)
	for _, e := range entries {
		t.Errorf("a failed backup left %s", e.Name())
	}
}

// TestScheduledBackups: scheduled backups run on exactly one of two
// instances sharing a database (on SQLite, with one instance per file, the
// one), write a restorable backup, and apply retention to the directory,
// leaving files they did not write alone.
func TestScheduledBackups(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		a := openMigrated(t, dbURL)
		storetest.SeedForBackup(t, a, 1)
		instances := []*sqlstore.DB{a}
		if storetest.BackendOf(dbURL) == "postgres" {
			b, err := sqlstore.Open(context.Background(), dbURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			instances = append(instances, b)
		}
		id, _ := storetest.NewIdentity(t)
		now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
		old := []time.Duration{24 * time.Hour, 48 * time.Hour, 10 * 24 * time.Hour, 20 * 24 * time.Hour}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		dirs := make([]string, len(instances))
		var wg sync.WaitGroup
		for i, db := range instances {
			dirs[i] = t.TempDir()
			for _, d := range old {
				if err := os.WriteFile(filepath.Join(dirs[i], backup.FileName(now.Add(-d))), []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(dirs[i], "notes.txt"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			cfg := sqlstore.BackupSchedule{Dir: dirs[i], Recipients: []age.Recipient{id.Recipient()}, Interval: time.Hour,
				Keep: backup.Retention{Daily: 2, Weekly: 2}, Now: func() time.Time { return now }}
			wg.Go(func() {
				if err := db.RunScheduledBackups(ctx, cfg, nil); err != nil {
					t.Error(err)
				}
			})
		}
		newName := backup.FileName(now)
		deadline := time.Now().Add(30 * time.Second)
		winner := -1
		for winner < 0 && time.Now().Before(deadline) {
			for i, d := range dirs {
				if _, err := os.Stat(filepath.Join(d, newName)); err == nil {
					winner = i
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		if winner < 0 {
			t.Fatal("no scheduled backup within 30 s")
		}
		// Let a second instance have its chance to (wrongly) back up too.
		time.Sleep(300 * time.Millisecond)
		cancel()
		wg.Wait()
		for i, d := range dirs {
			var names []string
			entries, _ := os.ReadDir(d)
			for _, e := range entries {
				names = append(names, e.Name())
			}
			want := []string{backup.FileName(now.Add(-24 * time.Hour)), backup.FileName(now.Add(-10 * 24 * time.Hour)), newName, "notes.txt"}
			if i != winner {
				want = []string{backup.FileName(now.Add(-20 * 24 * time.Hour)), backup.FileName(now.Add(-10 * 24 * time.Hour)),
					backup.FileName(now.Add(-48 * time.Hour)), backup.FileName(now.Add(-24 * time.Hour)), "notes.txt"}
			}
			if strings.Join(names, " ") != strings.Join(sorted(want), " ") {
				t.Errorf("instance %d (winner %d) directory = %v, want %v", i, winner, names, sorted(want))
			}
		}
		target := storetest.NewURL(t, storetest.BackendOf(dbURL))
		if storetest.BackendOf(dbURL) == "postgres" {
			// A PostgreSQL backup restores into a schema of its name.
			a.Close()
			instances[1].Close()
			storetest.Wipe(t, dbURL)
			target = dbURL
		}
		if _, err := restoreFile(t, target, filepath.Join(dirs[winner], newName), id); err != nil {
			t.Fatalf("restore the scheduled backup: %v", err)
		}
	})
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// BenchmarkBackup measures "flare backup" and "flare restore" on a
// database of 1,000 audited cases and 500,000 rows of random hex text
// (about 30 MB in SQLite; hex compresses about 2:1), reporting the database's
// size (MB_db) and the artefact's (MB_artefact).
//
//	go test -run '^$' -bench Backup -benchtime 3x ./sqlstore/
func BenchmarkBackup(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			ctx := context.Background()
			dbURL := storetest.NewURL(b, backend)
			db, err := sqlstore.Open(ctx, dbURL)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx, nil); err != nil {
				b.Fatal(err)
			}
			storetest.SeedForBackup(b, db, 1000)
			raw := storetest.RawDB(b, dbURL)
			fill := `INSERT INTO bulk SELECT hex(randomblob(32)) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500000) SELECT i FROM n)`
			if backend == "postgres" {
				fill = `INSERT INTO bulk SELECT md5(random()::text) || md5(random()::text) FROM generate_series(1, 500000)`
			}
			if _, err := raw.Exec(`CREATE TABLE bulk (t TEXT)`); err != nil {
				b.Fatal(err)
			}
			if _, err := raw.Exec(fill); err != nil {
				b.Fatal(err)
			}
			size := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
			if backend == "postgres" {
				size = `SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
					WHERE n.nspname = current_schema() AND c.relkind = 'r'`
			}
			var dbBytes float64
			if err := raw.QueryRow(size).Scan(&dbBytes); err != nil {
				b.Fatal(err)
			}
			raw.Close()
			id, _ := storetest.NewIdentity(b)
			dir := b.TempDir()
			var last string
			n := 0
			b.Run("backup", func(b *testing.B) {
				for b.Loop() {
					n++
					last = filepath.Join(dir, fmt.Sprintf("b%d.age", n))
					if _, err := db.Backup(ctx, last, id.Recipient()); err != nil {
						b.Fatal(err)
					}
				}
				info, _ := os.Stat(last)
				b.ReportMetric(float64(info.Size())/1e6, "MB_artefact")
				b.ReportMetric(dbBytes/1e6, "MB_db")
			})
			db.Close()
			b.Run("restore", func(b *testing.B) {
				for b.Loop() {
					b.StopTimer()
					storetest.Wipe(b, dbURL)
					b.StartTimer()
					if _, err := restoreFile(b, dbURL, last, id); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
