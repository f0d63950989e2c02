// Package http is Flare's HTTP adapter: routes, middleware, the JSON API and
// the pages, on top of the domain services. It holds no business rules.
package http

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/html"
)

// Pinger is what /readyz asks: does the database answer?
type Pinger interface {
	Ping(ctx context.Context) error
}

// CaseReader is the case service with the audit trail of a case.
type CaseReader interface {
	flare.CaseService
	CaseAudit(ctx context.Context, id string) ([]audit.Entry, error)
}

// Config is what the server is built from.
type Config struct {
	Logger   *slog.Logger
	Database Pinger
	Renderer *html.Renderer
	// Accounts signs staff in; without it no route needs a session works.
	Accounts flare.AccountService
	// Cases serves the staff case list and a case's audit trail.
	Cases CaseReader
	// Users serves the admins' user management.
	Users UserAdmin
	// Organisations and Worksites serve the parties of cases (issue #5);
	// without them their routes answer 404 and case pages leave them out.
	Organisations flare.OrganisationService
	Worksites     flare.WorksiteService
	// Persons serves the people of cases (issue #5); without it the
	// person routes answer 404 and case pages show no people.
	Persons flare.PersonService
	// Assessments screens people (issue #7); with Persons, it serves the
	// screening interview. Agencies names the deciding body of a status.
	Assessments flare.AssessmentService
	Agencies    flare.AgencyService
	// Claims keeps wage claims and the fund's ledger (issue #8).
	Claims flare.ClaimService
	// Matches proposes and records matches between people (issue #9).
	Matches flare.MatchService
	// Statistics serves analysts' aggregates, such as the multiple
	// systems estimation (issue #10).
	Statistics flare.StatisticsService
	// Referrals sends and answers referrals between agencies (issue #6).
	Referrals flare.ReferralService
	// Protection keeps the services and protection periods of victims
	// (issue #6); without it their routes answer 404 and person pages
	// leave the section out.
	Protection flare.ProtectionService
	// Inspections and Proceedings keep the enforcement records of cases,
	// and Erasure erases people under legal holds (issue #6, R-DP3);
	// without them their routes answer 404 and pages leave them out.
	Inspections flare.InspectionService
	Proceedings flare.ProceedingService
	Erasure     flare.PersonEraser
	// Grants lists and ends the sharing of cases (revocation, withdrawal
	// of consent).
	Grants flare.GrantService
	// Notes, Tasks, Documents and Timeline serve the work on cases (issue
	// #5); without them their routes answer 404 and case pages leave them
	// out. MaxDocumentSize caps an upload (0: flare.DefaultMaxDocumentSize).
	Notes           flare.NoteService
	Tasks           flare.TaskService
	Documents       flare.DocumentService
	Timeline        flare.TimelineService
	MaxDocumentSize int64
	// Idempotency remembers API writes sent with an Idempotency-Key; without
	// it the header is ignored.
	Idempotency IdempotencyStore
	// Reports serves the public reporting portal, the intake queue and
	// the partner API (issue #4); without it those routes answer 404.
	Reports ReportStore
	// Portal configures the public reporting portal.
	Portal PortalConfig
	// BaseURL is the public URL of this server, for enrolment links.
	BaseURL string
	// SecureCookies marks cookies Secure even on plain HTTP, for a server
	// behind a TLS-terminating proxy.
	SecureCookies bool
	// SignInLimit bounds sign-in and enrolment attempts per client address
	// (security checklist R-AZ7). Zero means 10 per minute, burst 5.
	SignInLimit RateLimit
	// ShutdownTimeout bounds how long in-flight requests may run once
	// shutdown starts.
	ShutdownTimeout time.Duration
	// ReadyTimeout bounds the database check of /readyz.
	ReadyTimeout time.Duration
}

// Server serves Flare over HTTP.
type Server struct {
	cfg      Config
	signIn   *limiter
	logger   *slog.Logger
	registry *prometheus.Registry
	metrics  *metrics
	handler  http.Handler
	portal   *portal
}

// NewServer builds the routes and middleware.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.Database == nil || cfg.Renderer == nil {
		return nil, errors.New("http server: logger, database and renderer are required")
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.ReadyTimeout <= 0 {
		cfg.ReadyTimeout = 2 * time.Second
	}
	reg := prometheus.NewRegistry()
	m, err := newMetrics(reg)
	if err != nil {
		return nil, err
	}
	if cfg.SignInLimit.Every <= 0 || cfg.SignInLimit.Burst <= 0 {
		cfg.SignInLimit = RateLimit{Every: 6 * time.Second, Burst: 5}
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, registry: reg, metrics: m, signIn: newLimiter(cfg.SignInLimit)}
	s.portal = newPortal(&s.cfg.Portal)
	s.handler = s.middleware(s.routes())
	return s, nil
}

// Handler returns the server's root handler, for tests and embedding.
func (s *Server) Handler() http.Handler { return s.handler }

// Serve serves on ln until ctx is cancelled, then stops accepting new
// connections, lets in-flight requests finish (up to ShutdownTimeout) and
// returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(&redactingWriter{logger: s.logger}, "", 0),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.logger.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
