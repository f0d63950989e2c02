package faultproxy

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"io"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func untyped(code uint32, payload string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	b = binary.BigEndian.AppendUint32(b, code)
	return append(b, payload...)
}

func typed(t byte, payload string) []byte {
	b := []byte{t}
	b = binary.BigEndian.AppendUint32(b, uint32(4+len(payload)))
	return append(b, payload...)
}

func TestReader(t *testing.T) {
	tests := []struct {
		name   string
		stream [][]byte
		types  []byte
		calls  int
	}{
		{"startup then extended query", [][]byte{untyped(196608, "user\x00postgres\x00\x00"), typed('P', "\x00select 1\x00\x00\x00"), typed('B', "\x00\x00\x00\x00\x00\x00\x00\x00"), typed('E', "\x00\x00\x00\x00\x00"), typed('S', "")},
			[]byte{0, 'P', 'B', 'E', 'S'}, 1},
		{"SSL request first", [][]byte{untyped(sslRequest, ""), untyped(196608, "\x00"), typed('Q', "select 1\x00"), typed('X', "")},
			[]byte{0, 0, 'Q', 'X'}, 1},
		{"GSS request first", [][]byte{untyped(gssEncRequest, ""), untyped(196608, "\x00"), typed('S', ""), typed('S', "")},
			[]byte{0, 0, 'S', 'S'}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(bytes.NewReader(bytes.Join(tt.stream, nil)))
			var types []byte
			calls := 0
			for i := 0; ; i++ {
				m, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(m.Raw, tt.stream[i]) {
					t.Fatalf("message %d = %q, want %q", i, m.Raw, tt.stream[i])
				}
				types = append(types, m.Type)
				if m.IsCall() {
					calls++
				}
			}
			if !bytes.Equal(types, tt.types) || calls != tt.calls {
				t.Fatalf("types %q calls %d, want %q %d", types, calls, tt.types, tt.calls)
			}
		})
	}
}

func TestReaderMalformed(t *testing.T) {
	for _, stream := range [][]byte{
		{0, 0, 0, 3}, // start-up length below its own size
		append(untyped(196608, ""), 'Q', 0, 0, 0, 1), // typed length below 4
		append(untyped(196608, ""), 'Q', 0x7f, 0xff, 0xff, 0xff),
	} {
		r := NewReader(bytes.NewReader(stream))
		var err error
		for err == nil {
			_, err = r.Next()
		}
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("stream %x: error %v, want ErrMalformed", stream, err)
		}
	}
}

// FuzzReader: any byte stream splits into messages whose bytes are exactly
// the stream's prefix, or stops with an error; never a panic.
func FuzzReader(f *testing.F) {
	f.Add(bytes.Join([][]byte{untyped(sslRequest, ""), untyped(196608, "user\x00x\x00\x00"), typed('Q', "select 1\x00")}, nil))
	f.Add(typed('S', ""))
	f.Add([]byte{0, 0, 0, 8, 4, 210, 22, 47})
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := NewReader(bytes.NewReader(stream))
		var got []byte
		for {
			m, err := r.Next()
			if err != nil {
				break
			}
			got = append(got, m.Raw...)
		}
		if !bytes.HasPrefix(stream, got) {
			t.Fatalf("messages %x are not a prefix of the stream %x", got, stream)
		}
	})
}

// TestProxyFailsNthCall runs against the test PostgreSQL when configured:
// the armed call fails, the transaction it was in leaves nothing, and the
// calls around it go through.
func TestProxyFailsNthCall(t *testing.T) {
	base := os.Getenv("FLARE_TEST_DATABASE_URL")
	if base == "" {
		if os.Getenv("FLARE_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("FLARE_TEST_DATABASE_URL is not set but FLARE_TEST_REQUIRE_POSTGRES=1")
		}
		t.Skip("set FLARE_TEST_DATABASE_URL to run against PostgreSQL")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Listen(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	u.Host = p.Addr()
	q := u.Query()
	q.Set("sslmode", "disable") // the proxy reads the protocol in clear
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS t (x int)`); err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.Arm(2) // the INSERT passes, the SELECT after it fails
	if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatalf("first call: %v", err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err == nil {
		t.Fatal("the armed call succeeded")
	}
	tx.Rollback()
	if !p.Triggered() {
		t.Fatal("proxy says the failure did not happen")
	}
	p.Arm(0)
	// A fresh connection (and so a fresh temporary table) works.
	if err := db.QueryRowContext(ctx, `SELECT 1`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after the failure: %d, %v", n, err)
	}
}
