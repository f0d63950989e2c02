// Package faultproxy is a test helper: a TCP proxy in front of PostgreSQL
// that makes the Nth database call fail, by cutting the connection instead
// of forwarding it. It lets a test run the real flare binary against a
// database that breaks mid-request (security checklist R-DU4) without any
// test hook in the code under test.
//
// A "call" is a round trip of the PostgreSQL frontend protocol: a Sync
// message (the end of an extended-protocol query) or a simple Query. The
// call that fails never reaches the server, so PostgreSQL sees a client
// vanish mid-transaction and rolls the transaction back, as it would after
// a network failure or a crash of the database host.
package faultproxy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

// Proxy forwards connections from a loopback port to a PostgreSQL server.
type Proxy struct {
	ln     net.Listener
	target string

	mu        sync.Mutex
	calls     int64 // calls forwarded since the last Arm
	failAt    int64 // 0: never fail
	triggered bool
	conns     map[net.Conn]struct{}
	wg        sync.WaitGroup
}

// Listen starts a proxy on 127.0.0.1 to target ("host:port").
func Listen(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fault proxy: listen: %w", err)
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's "host:port", to put in the database URL.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Arm makes the nth call from now fail (n >= 1), and resets the count.
// Arm(0) disarms the proxy.
func (p *Proxy) Arm(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls, p.failAt, p.triggered = 0, int64(n), false
}

// Triggered reports whether the armed failure has happened.
func (p *Proxy) Triggered() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.triggered
}

// Calls returns how many calls went through since the last Arm.
func (p *Proxy) Calls() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns[client], p.conns[server] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			io.Copy(client, server)
			p.drop(client, server)
		}()
		go func() {
			defer p.wg.Done()
			p.forward(server, client)
			p.drop(client, server)
		}()
	}
}

func (p *Proxy) drop(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		c.Close()
		delete(p.conns, c)
	}
}

// forward copies the client's messages to the server one by one, counting
// calls, and returns when either side is gone or the armed call comes.
func (p *Proxy) forward(server net.Conn, client net.Conn) {
	r := NewReader(client)
	for {
		msg, err := r.Next()
		if err != nil {
			return
		}
		if msg.IsCall() && p.countCall() {
			return // the call fails: the connection is cut before it
		}
		if _, err := server.Write(msg.Raw); err != nil {
			return
		}
	}
}

// countCall counts one call and reports whether it is the one to fail.
func (p *Proxy) countCall() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.failAt > 0 && p.calls == p.failAt {
		p.triggered = true
		return true
	}
	return false
}

// Message is one frontend protocol message.
type Message struct {
	// Type is the message type byte, 0 for the untyped start-up messages.
	Type byte
	// Raw is the whole message as sent.
	Raw []byte
}

// IsCall reports whether the message ends a round trip: Sync or Query.
func (m Message) IsCall() bool { return m.Type == 'S' || m.Type == 'Q' }

// maxMessage bounds a message so a corrupt length cannot exhaust memory.
const maxMessage = 64 << 20

// Protocol codes of the untyped requests that precede the start-up message.
const (
	sslRequest    = 80877103
	gssEncRequest = 80877104
	cancelRequest = 80877102
)

// Reader splits a client's byte stream into frontend messages: untyped
// start-up messages (SSLRequest, GSSENCRequest, then StartupMessage), then
// typed ones (a type byte and a length that counts itself).
type Reader struct {
	r       io.Reader
	started bool
}

// NewReader returns a Reader at the start of a connection.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// ErrMalformed is returned for a length that cannot be a message.
var ErrMalformed = errors.New("faultproxy: malformed frontend message")

// Next reads one message.
func (r *Reader) Next() (Message, error) {
	var head []byte
	var typ byte
	if r.started {
		head = make([]byte, 5)
	} else {
		head = make([]byte, 4)
	}
	if _, err := io.ReadFull(r.r, head); err != nil {
		return Message{}, err
	}
	lenBytes := head
	if r.started {
		typ, lenBytes = head[0], head[1:]
	}
	n := binary.BigEndian.Uint32(lenBytes)
	if n < 4 || n > maxMessage {
		return Message{}, fmt.Errorf("%w: length %d", ErrMalformed, n)
	}
	raw := make([]byte, len(head)+int(n)-4)
	copy(raw, head)
	if _, err := io.ReadFull(r.r, raw[len(head):]); err != nil {
		return Message{}, err
	}
	if !r.started {
		// After a start-up message (not a request to negotiate
		// encryption, nor a cancel) every message is typed.
		code := uint32(0)
		if n >= 8 {
			code = binary.BigEndian.Uint32(raw[4:8])
		}
		if code != sslRequest && code != gssEncRequest && code != cancelRequest {
			r.started = true
		}
	}
	return Message{Type: typ, Raw: raw}, nil
}
