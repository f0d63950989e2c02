package audit_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/flare-ilo/flare/audit"
)

// memLog is an in-memory log that stores what sqlstore stores, so the
// verifier can be tested, and tampered with, without a database.
type memLog struct {
	entries []audit.Entry
	hashes  map[int64]tlog.Hash
}

func (m *memLog) ReadHashes(_ context.Context, indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := m.hashes[idx]
		if !ok {
			return nil, fmt.Errorf("hash %d missing", idx)
		}
		out[i] = h
	}
	return out, nil
}

func (m *memLog) TreeSize(context.Context) (int64, error) {
	if len(m.entries) == 0 {
		return 0, nil
	}
	return m.entries[len(m.entries)-1].Seq + 1, nil
}

func (m *memLog) ReadEntries(_ context.Context, from int64, limit int) ([]audit.Entry, error) {
	var out []audit.Entry
	for _, e := range m.entries {
		if e.Seq >= from && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memLog) ReadHashRange(_ context.Context, lo, hi int64) ([]audit.StoredHash, error) {
	var out []audit.StoredHash
	for idx, h := range m.hashes {
		if idx >= lo && idx < hi {
			out = append(out, audit.StoredHash{Index: idx, Hash: h})
		}
	}
	slices.SortFunc(out, func(a, b audit.StoredHash) int { return int(a.Index - b.Index) })
	return out, nil
}

// appendEntry appends as sqlstore.AppendAudit does.
func (m *memLog) appendEntry(t testing.TB, e audit.Entry) {
	t.Helper()
	if m.hashes == nil {
		m.hashes = map[int64]tlog.Hash{}
	}
	e.Seq = int64(len(m.entries))
	data, err := audit.Encode(e)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	hashes, err := tlog.StoredHashes(e.Seq, data, tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return m.ReadHashes(context.Background(), idx)
	}))
	if err != nil {
		t.Fatalf("stored hashes: %v", err)
	}
	base := tlog.StoredHashIndex(0, e.Seq)
	for i, h := range hashes {
		m.hashes[base+int64(i)] = h
	}
	m.entries = append(m.entries, e)
}

// rehash recomputes every stored hash from the entries, as an attacker who
// edited an entry would to hide it.
func (m *memLog) rehash(t testing.TB) {
	t.Helper()
	entries := m.entries
	m.entries, m.hashes = nil, nil
	for _, e := range entries {
		m.appendEntry(t, e)
	}
}

// sampleEntry is a valid entry numbered i.
func sampleEntry(i int) audit.Entry {
	return audit.Entry{
		At:         time.Date(2026, 3, 14, 9, 0, i, 1000*i, time.UTC),
		UserID:     fmt.Sprintf("0192e0a0-0000-7000-8000-%012d", i%7),
		AgencyID:   "0192e0a0-0000-7000-8000-00000000aaaa",
		SessionID:  fmt.Sprintf("s%d", i%3),
		Action:     audit.Actions()[i%len(audit.Actions())],
		Outcome:    audit.OutcomeOK,
		RecordType: "case",
		RecordID:   fmt.Sprintf("0192e0a0-0000-7000-8000-%012d", i%11),
		CaseID:     fmt.Sprintf("0192e0a0-0000-7000-8000-%012d", i%11),
		Fields:     []string{"status", "title"},
	}
}

func newMemLog(t testing.TB, n int) *memLog {
	m := &memLog{}
	for i := range n {
		m.appendEntry(t, sampleEntry(i))
	}
	return m
}
