package audit_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/flare-ilo/flare/audit"
)

func TestEncodeRoundTrip(t *testing.T) {
	full := sampleEntry(3)
	full.Console = true
	full.Justification = "Investigation 2026/17: checking the victim's identity before the hearing.\nSecond line."
	tests := []struct {
		name string
		e    audit.Entry
	}{
		{"typical", sampleEntry(1)},
		{"every field", full},
		{"minimal", audit.Entry{At: time.Unix(0, 0), Action: audit.ActionSignIn, Outcome: audit.OutcomeFailed, RecordType: "session"}},
		{"before 1970", audit.Entry{At: time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC), Action: audit.ActionRead, Outcome: audit.OutcomeDenied, RecordType: "case"}},
		{"large seq", audit.Entry{Seq: 1<<62 + 5, At: time.Unix(1, 0), Action: audit.ActionShare, Outcome: audit.OutcomeOK, RecordType: "person"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := audit.Encode(tt.e)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			got, err := audit.Decode(b)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			want := tt.e.Normalized()
			if !reflect.DeepEqual(want, got) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestEncodeGolden pins version 1 of the encoding: every stored entry's
// hash depends on these bytes, so they must never change.
func TestEncodeGolden(t *testing.T) {
	e := audit.Entry{Seq: 7, At: time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC), UserID: "u1", AgencyID: "a1",
		SessionID: "s1", Action: audit.ActionRead, Outcome: audit.OutcomeOK, RecordType: "person", RecordID: "p1",
		CaseID: "c1", Fields: []string{"name", "nationality"}, Justification: "why"}
	b, err := audit.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	const want = "01" + "0000000000000007" + "00064cf896117121" + "00" +
		"00027531" + "00026131" + "00027331" + "000472656164" + "00026f6b" + "0006706572736f6e" +
		"00027031" + "00026331" + "0002" + "00046e616d65" + "000b6e6174696f6e616c697479" + "0003776879"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("encoding changed:\n got %s\nwant %s", got, want)
	}
}

// TestEncodeUnambiguous: entries that differ only in where a boundary
// falls between fields must encode differently, or one could stand in for
// the other in the tree.
func TestEncodeUnambiguous(t *testing.T) {
	a, b := sampleEntry(1), sampleEntry(1)
	a.UserID, a.AgencyID = "ab", "c"
	b.UserID, b.AgencyID = "a", "bc"
	c := sampleEntry(1)
	c.Fields = []string{"ab"}
	d := sampleEntry(1)
	d.Fields = []string{"a", "b"}
	for _, pair := range [][2]audit.Entry{{a, b}, {c, d}} {
		x, err1 := audit.Encode(pair[0])
		y, err2 := audit.Encode(pair[1])
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if bytes.Equal(x, y) {
			t.Errorf("two different entries encode the same: %x", x)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good, err := audit.Encode(sampleEntry(2))
	if err != nil {
		t.Fatal(err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	tests := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version 2", mut(func(b []byte) []byte { b[0] = 2; return b })},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(bytes.Clone(good), 0)},
		{"console flag 2", mut(func(b []byte) []byte { b[17] = 2; return b })},
		{"negative seq", mut(func(b []byte) []byte { b[1] = 0x80; return b })},
		{"unsorted fields", mustEncodeRaw(t, []string{"title", "status"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := audit.Decode(tt.b); !errors.Is(err, audit.ErrMalformed) {
				t.Errorf("Decode = %v, want ErrMalformed", err)
			}
		})
	}
}

// mustEncodeRaw builds an encoding whose fields are in the given order,
// which Encode itself refuses to produce.
func mustEncodeRaw(t *testing.T, fields []string) []byte {
	e := sampleEntry(0)
	e.Fields = nil
	b, err := audit.Encode(e)
	if err != nil {
		t.Fatal(err)
	}
	// Replace the empty field list (0000) and justification (0000) at the end.
	b = b[:len(b)-4]
	b = append(b, 0, byte(len(fields)))
	for _, f := range fields {
		b = append(b, 0, byte(len(f)))
		b = append(b, f...)
	}
	return append(b, 0, 0)
}

// FuzzDecode: Decode never panics, and whatever it accepts is canonical:
// it encodes back to exactly the bytes it was decoded from.
func FuzzDecode(f *testing.F) {
	for i := range 4 {
		e := sampleEntry(i)
		e.Justification = "reason " + string(rune('a'+i))
		b, err := audit.Encode(e)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := audit.Decode(b)
		if err != nil {
			return
		}
		again, err := audit.Encode(e)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("not canonical:\n in %x\nout %x", b, again)
		}
	})
}
