package audit_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare/audit"
)

func newKey(t testing.TB, name string) *audit.Key {
	t.Helper()
	skey, err := audit.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	k, err := audit.ParseKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCheckpointSignOpen(t *testing.T) {
	k := newKey(t, "flare-audit")
	cp := audit.Checkpoint{Origin: "flare-audit", Size: 42, Hash: tlog.RecordHash([]byte("x"))}
	signed, err := audit.SignCheckpoint(cp, k)
	if err != nil {
		t.Fatal(err)
	}
	got, err := audit.OpenCheckpoint(signed, k.Verifier())
	if err != nil || got != cp {
		t.Fatalf("open = %+v, %v; want %+v", got, err, cp)
	}
	other := newKey(t, "flare-audit")
	if _, err := audit.OpenCheckpoint(signed, other.Verifier()); err == nil {
		t.Error("a checkpoint signed by another key was accepted")
	}
	forged := bytes.Replace(signed, []byte("\n42\n"), []byte("\n43\n"), 1)
	if _, err := audit.OpenCheckpoint(forged, k.Verifier()); err == nil {
		t.Error("a checkpoint with an edited size was accepted")
	}
	if _, err := audit.SignCheckpoint(audit.Checkpoint{Origin: "other", Size: 1}, k); err == nil {
		t.Error("signed a checkpoint for another log's origin")
	}
}

func TestParseCheckpointRejects(t *testing.T) {
	h := tlog.RecordHash(nil).String()
	for _, text := range []string{
		"",
		"flare-audit\n1\n" + h,               // no final newline
		"flare-audit\n01\n" + h + "\n",       // leading zero
		"flare-audit\n-1\n" + h + "\n",       // negative
		"flare-audit\n+1\n" + h + "\n",       // sign
		"flare audit\n1\n" + h + "\n",        // space in origin
		"flare-audit\n1\n" + h + "\nextra\n", // extension lines are not ours
		"flare-audit\n1\nAAAA\n",             // short hash
		"\n1\n" + h + "\n",                   // empty origin
		"flare-audit\n1\n" + h[:43] + "A\n",  // not base64 of 32 bytes
		"flare-audit\r\n1\n" + h + "\n",      // CR in origin
	} {
		if c, err := audit.ParseCheckpoint([]byte(text)); err == nil {
			t.Errorf("ParseCheckpoint(%q) = %+v, want an error", text, c)
		}
	}
}

// FuzzParseCheckpoint: never panics; what it accepts prints back the same.
func FuzzParseCheckpoint(f *testing.F) {
	f.Add([]byte("flare-audit\n0\n" + tlog.RecordHash(nil).String() + "\n"))
	f.Add([]byte("flare-audit\n18446744073709551615\nAAAA\n"))
	f.Add([]byte("a\n1\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := audit.ParseCheckpoint(text)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Text(), text) {
			t.Fatalf("accepted %q, prints %q", text, c.Text())
		}
		if c.Size < 0 || c.Origin == "" || strings.ContainsAny(c.Origin, " \n") {
			t.Fatalf("accepted a bad checkpoint %+v", c)
		}
	})
}

func TestFileSink(t *testing.T) {
	k := newKey(t, "flare-audit")
	path := filepath.Join(t.TempDir(), "d", audit.CheckpointsFileName)
	sink := audit.NewFileSink(path)
	if notes, err := sink.ReadAll(); err != nil || len(notes) != 0 {
		t.Fatalf("empty sink = %d notes, %v", len(notes), err)
	}
	for _, size := range []int64{3, 1, 2} {
		signed, err := audit.SignCheckpoint(audit.Checkpoint{Origin: k.Name(), Size: size, Hash: tlog.RecordHash([]byte{byte(size)})}, k)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Publish(signed); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Publish([]byte("not a note")); err == nil {
		t.Error("published something that is not a signed note")
	}
	cps, err := audit.TrustedCheckpoints(sink, k.Verifier())
	if err != nil || len(cps) != 3 {
		t.Fatalf("trusted = %v, %v", cps, err)
	}
	if latest, _ := audit.Latest(cps); latest.Size != 3 || cps[0].Size != 1 {
		t.Errorf("not sorted by size: %+v", cps)
	}
	// A checkpoint from another key in the file is an error, not skipped.
	other := newKey(t, "flare-audit")
	signed, _ := audit.SignCheckpoint(audit.Checkpoint{Origin: other.Name(), Size: 9}, other)
	if err := sink.Publish(signed); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.TrustedCheckpoints(sink, k.Verifier()); err == nil {
		t.Error("a checkpoint signed by another key was trusted")
	}
}

func TestTrustedCheckpointsFork(t *testing.T) {
	k := newKey(t, "flare-audit")
	sink := audit.NewFileSink(filepath.Join(t.TempDir(), "cp"))
	for _, data := range []string{"a", "b"} {
		signed, _ := audit.SignCheckpoint(audit.Checkpoint{Origin: k.Name(), Size: 5, Hash: tlog.RecordHash([]byte(data))}, k)
		if err := sink.Publish(signed); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := audit.TrustedCheckpoints(sink, k.Verifier()); err == nil || !strings.Contains(err.Error(), "forked") {
		t.Errorf("fork = %v, want an error", err)
	}
}
