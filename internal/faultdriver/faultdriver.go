// Package faultdriver wraps a database/sql driver so that its Nth call
// fails, for tests that prove a request fails closed: a generic error, and
// neither the record nor its audit entry half-written (security checklist
// R-DU4). It is used by tests only.
package faultdriver

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// ErrInjected is the error of the failing call.
var ErrInjected = errors.New("faultdriver: injected failure")

// Switch decides which call fails. The zero value fails nothing.
type Switch struct {
	calls  atomic.Int64
	failAt atomic.Int64
	fired  atomic.Bool
}

// Arm makes the nth call from now fail (n >= 1); 0 disarms.
func (s *Switch) Arm(n int64) {
	s.fired.Store(false)
	s.calls.Store(0)
	s.failAt.Store(n)
}

// Fired reports whether the armed call failed.
func (s *Switch) Fired() bool { return s.fired.Load() }

// hit counts one call and says whether it must fail.
func (s *Switch) hit() error {
	n := s.calls.Add(1)
	if at := s.failAt.Load(); at > 0 && n == at {
		s.fired.Store(true)
		return ErrInjected
	}
	return nil
}

// Connector wraps c so every connection it makes reports to s.
func Connector(c driver.Connector, s *Switch) driver.Connector { return &connector{c, s} }

type connector struct {
	driver.Connector
	s *Switch
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := c.s.hit(); err != nil {
		return nil, err
	}
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &faultConn{Conn: conn, s: c.s}, nil
}

// faultConn forwards the context-aware interfaces database/sql uses, failing
// the armed call.
type faultConn struct {
	driver.Conn
	s *Switch
}

func (c *faultConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.s.hit(); err != nil {
		return nil, err
	}
	b, ok := c.Conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("faultdriver: driver lacks BeginTx")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &faultTx{Tx: tx, s: c.s}, nil
}

func (c *faultConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.s.hit(); err != nil {
		return nil, err
	}
	e, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return e.ExecContext(ctx, query, args)
}

func (c *faultConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.s.hit(); err != nil {
		return nil, err
	}
	q, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return q.QueryContext(ctx, query, args)
}

func (c *faultConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.s.hit(); err != nil {
		return nil, err
	}
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *faultConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *faultConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

type faultTx struct {
	driver.Tx
	s *Switch
}

func (t *faultTx) Commit() error {
	if err := t.s.hit(); err != nil {
		_ = t.Tx.Rollback()
		return err
	}
	return t.Tx.Commit()
}
