package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// EncodingVersion is the version of the canonical encoding Encode writes.
// An entry's encoding is the record its Merkle leaf hashes, so a new field
// needs a new version: old entries must keep hashing the same bytes.
const EncodingVersion = 1

// Encode returns the canonical encoding of e, the bytes its Merkle leaf
// hash is computed over (tlog.RecordHash). Version 1 is:
//
//	version         1 byte (1)
//	seq             8 bytes, big-endian
//	at              8 bytes, big-endian, microseconds since 1970 UTC
//	console         1 byte, 0 or 1
//	user_id, agency_id, session_id, action, outcome,
//	record_type, record_id, case_id
//	                each a string: 2-byte big-endian length, UTF-8 bytes
//	fields          2-byte count, then each name as a string
//	justification   a string
//
// Fixed widths and length prefixes make the encoding unambiguous: no two
// entries encode to the same bytes. Encode validates e first.
func Encode(e Entry) ([]byte, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 128+len(e.Justification))
	b = append(b, EncodingVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(e.Seq))
	b = binary.BigEndian.AppendUint64(b, uint64(e.At.UnixMicro()))
	if e.Console {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, s := range []string{e.UserID, e.AgencyID, e.SessionID, string(e.Action), string(e.Outcome),
		e.RecordType, e.RecordID, e.CaseID} {
		b = appendString(b, s)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(e.Fields)))
	for _, f := range e.Fields {
		b = appendString(b, f)
	}
	b = appendString(b, e.Justification)
	return b, nil
}

// appendString appends a length-prefixed string. Validate has bounded
// every string well below 64 KiB.
func appendString(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint16(b, uint16(len(s)))
	return append(b, s...)
}

// ErrMalformed is wrapped by every error Decode returns for bytes that are
// not a canonical encoding.
var ErrMalformed = errors.New("malformed audit entry encoding")

// Decode parses the canonical encoding of an entry. It accepts exactly the
// bytes Encode produces: a valid entry, no trailing bytes, and nothing that
// would encode differently.
func Decode(b []byte) (Entry, error) {
	d := decoder{b: b}
	if v := d.byte(); d.err == nil && v != EncodingVersion {
		return Entry{}, fmt.Errorf("%w: version %d (this build reads %d)", ErrMalformed, v, EncodingVersion)
	}
	var e Entry
	seq, micros := d.uint64(), d.uint64()
	if seq > math.MaxInt64 {
		d.fail("seq out of range")
	}
	e.Seq = int64(seq)
	e.At = time.UnixMicro(int64(micros)).UTC()
	switch d.byte() {
	case 0:
	case 1:
		e.Console = true
	default:
		d.fail("console flag is not 0 or 1")
	}
	e.UserID, e.AgencyID, e.SessionID = d.string(), d.string(), d.string()
	e.Action, e.Outcome = Action(d.string()), Outcome(d.string())
	e.RecordType, e.RecordID, e.CaseID = d.string(), d.string(), d.string()
	if n := int(d.uint16()); n > 0 && d.err == nil {
		if n > MaxFields {
			d.fail("too many fields")
		}
		for i := 0; i < n && d.err == nil; i++ {
			e.Fields = append(e.Fields, d.string())
		}
	}
	e.Justification = d.string()
	if d.err != nil {
		return Entry{}, d.err
	}
	if len(d.b) != 0 {
		return Entry{}, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b))
	}
	if err := e.Validate(); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return e, nil
}

// decoder reads big-endian fields and remembers the first error, so Decode
// reads straight through and checks once.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", ErrMalformed, msg)
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if len(d.b) < n {
		d.fail("truncated")
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) byte() byte {
	if p := d.take(1); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) uint16() uint16 {
	if p := d.take(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (d *decoder) uint64() uint64 {
	if p := d.take(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

func (d *decoder) string() string {
	n := int(d.uint16())
	p := d.take(n)
	if d.err != nil {
		return ""
	}
	if !utf8.Valid(p) {
		d.fail("string is not UTF-8")
		return ""
	}
	return string(p)
}
