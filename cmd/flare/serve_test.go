package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flare-ilo/flare/backup"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// logLine is the part of a JSON log record the tests read.
type logLine struct {
	Msg  string `json:"msg"`
	Addr string `json:"addr"`
}

// waitListening reads JSON log lines until the server says where it listens.
func waitListening(t *testing.T, r io.Reader) (addr string, rest *bufio.Scanner) {
	t.Helper()
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var l logLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.Msg == "listening" {
			return l.Addr, sc
		}
	}
	t.Fatalf("server never said it was listening (scan error: %v)", sc.Err())
	return "", nil
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// TestServeEndToEnd runs the real serve command in-process on port 0 against
// each backend, checks /readyz, and shuts it down by cancelling its context
// as SIGTERM would.
func TestServeEndToEnd(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		dataDir := filepath.Join(t.TempDir(), "data")
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir}
		if strings.HasPrefix(dbURL, "postgres") {
			args = append(args, "--database", dbURL)
		}
		pr, pw := io.Pipe()
		env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" }}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, env, args)
			pw.Close()
		}()
		addr, rest := waitListening(t, pr)
		go func() {
			for rest.Scan() {
			}
		}()
		if code := getStatus(t, "http://"+addr+"/readyz"); code != 200 {
			t.Fatalf("/readyz = %d", code)
		}
		if code := getStatus(t, "http://"+addr+"/"); code != 200 {
			t.Fatalf("/ = %d", code)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("serve exited %d after shutdown", code)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop within 30s of shutdown")
		}
		if !strings.HasPrefix(dbURL, "postgres") {
			st, err := os.Stat(filepath.Join(dataDir, "flare.db"))
			if err != nil {
				t.Fatalf("no SQLite database in the data directory: %v", err)
			}
			if di, _ := os.Stat(dataDir); di.Mode().Perm() != 0o700 {
				t.Errorf("data directory mode = %v, want 0700", di.Mode().Perm())
			}
			_ = st
		}
		// serve published a signed checkpoint on its way out, so the
		// audit log verifies against it.
		verify := append([]string{"audit", "verify", "--data", dataDir}, args[5:]...)
		if out, errOut, code := runCLI(t, "", nil, verify...); code != 0 || !strings.Contains(out, "audit log OK") {
			t.Fatalf("audit verify after serve = %d %q %q", code, out, errOut)
		}
	})
}

// TestServeProcessSIGTERM runs flare as a separate process with no flags but
// an address and a data directory, as the README's first command does, and
// stops it with SIGTERM: it must exit 0 after logging that it stopped.
func TestServeProcessSIGTERM(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "serve", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "FLARE_TEST_AS_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr, rest := waitListening(t, stderr)
	if code := getStatus(t, "http://"+addr+"/readyz"); code != 200 {
		t.Fatalf("/readyz = %d", code)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped := false
	for rest.Scan() {
		var l logLine
		if json.Unmarshal(rest.Bytes(), &l) == nil && l.Msg == "stopped" {
			stopped = true
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("flare serve exited with %v after SIGTERM", err)
	}
	if !stopped {
		t.Error("no \"stopped\" log line after SIGTERM")
	}
	if _, err := os.Stat(filepath.Join(dir, "flare-data", "flare.db")); err != nil {
		t.Errorf("default data directory not created: %v", err)
	}
}

func TestServeBadFlags(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		args    []string
		want    string
	}{
		{"unknown flag", nil, []string{"serve", "--colour", "red"}, "-colour"},
		{"bad duration", nil, []string{"serve", "--shutdown-timeout", "soon"}, "shutdown-timeout"},
		{"negative duration", nil, []string{"serve", "--shutdown-timeout", "-1s"}, "shutdown-timeout"},
		{"bad log level", nil, []string{"serve", "--log-level", "loud"}, "log-level"},
		{"bad env duration", []string{"FLARE_SHUTDOWN_TIMEOUT=soon"}, []string{"serve"}, "FLARE_SHUTDOWN_TIMEOUT"},
		{"bad address", nil, []string{"serve", "--addr", "nowhere", "--data", "DATA"}, "-addr"},
		{"bad database url", nil, []string{"serve", "--database", "mysql://x", "--data", "DATA"}, "unsupported scheme"},
		{"stray argument", nil, []string{"serve", "now"}, "unexpected argument"},
		{"idle too short", nil, []string{"serve", "--session-idle", "10s"}, "-session-idle"},
		{"max below idle", []string{"FLARE_SESSION_MAX=10m"}, []string{"serve"}, "-session-max"},
		{"lock-after zero", nil, []string{"serve", "--lock-after", "0"}, "-lock-after"},
		{"sign-in limit zero", nil, []string{"serve", "--sign-in-limit", "0"}, "-sign-in-limit"},
		{"backups without recipient", nil, []string{"serve", "--backup-dir", "DATA"}, "-backup-recipient"},
		{"bad backup recipient", []string{"FLARE_BACKUP_RECIPIENT=age1nope"}, []string{"serve", "--backup-dir", "DATA"}, "not an age recipient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, a := range tt.args {
				if a == "DATA" {
					tt.args[i] = t.TempDir()
				}
			}
			_, stderr, code := runCLI(t, "", tt.environ, tt.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not name %q: %s", tt.want, stderr)
			}
		})
	}
}

// TestServeTakesScheduledBackup: with a backup directory and recipient,
// serve takes a backup at start (none is there yet) and the artefact
// restores with the matching identity.
func TestServeTakesScheduledBackup(t *testing.T) {
	dir := t.TempDir()
	dataDir, backups := filepath.Join(dir, "data"), filepath.Join(dir, "backups")
	recipient, err := backup.GenerateIdentity(filepath.Join(dir, "backup.identity"))
	if err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: pw, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, env, []string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--backup-dir", backups, "--backup-recipient", recipient})
		pw.Close()
	}()
	_, rest := waitListening(t, pr)
	go func() {
		for rest.Scan() {
		}
	}()
	var files []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(files) == 0; time.Sleep(100 * time.Millisecond) {
		files, _ = filepath.Glob(filepath.Join(backups, "*.age"))
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	if len(files) == 0 {
		entries, _ := os.ReadDir(backups)
		t.Fatalf("no scheduled backup appeared in %s (%v)", backups, entries)
	}
	restored := filepath.Join(dir, "restored")
	if out, errOut, code := runCLI(t, "", nil, "restore", "--in", files[0], "--identity", filepath.Join(dir, "backup.identity"), "--data", restored); code != 0 {
		t.Fatalf("restore of the scheduled backup = %d %q %q", code, out, errOut)
	}
}
