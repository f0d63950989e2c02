package main

import (
	"context"
	"crypto/tls"
	"flag"
	"log/slog"
	"net"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/html"
	flarehttp "github.com/flare-ilo/flare/http"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

// serveOptions are serve's settings, parsed and checked before anything
// starts.
type serveOptions struct {
	db              dbFlags
	audit           auditFlags
	backups         scheduleFlags
	keyFile         keyFileFlag
	tls             tlsFlags
	portal          portalFlags
	fund            fundFlags
	fundRules       sqlstore.FundRules
	authorities     authoritiesFlag
	competent       []flare.AgencyKind
	protection      protectionFlags
	addr            string
	logLevel        slog.Level
	shutdown        time.Duration
	checkpointEvery time.Duration
	sessions        flare.SessionPolicy
	signInLimit     int
	maxDocumentSize int64
	secureCookies   bool
	issuer          string
	baseURL         string
	// Derived from the flags by parseServeFlags.
	tlsConfig *tls.Config
	backupTo  age.Recipient
}

// serveEnv maps serve's own flags to their environment variables.
var serveEnv = map[string]string{"addr": "FLARE_ADDR", "log-level": "FLARE_LOG_LEVEL", "shutdown-timeout": "FLARE_SHUTDOWN_TIMEOUT",
	"secure-cookies": "FLARE_SECURE_COOKIES", "issuer": "FLARE_ISSUER", "base-url": "FLARE_BASE_URL",
	"checkpoint-interval": "FLARE_CHECKPOINT_INTERVAL", "key-file": "FLARE_KEY_FILE",
	"sign-in-limit": "FLARE_SIGN_IN_LIMIT", "max-document-size": "FLARE_MAX_DOCUMENT_SIZE", "session-idle": "FLARE_SESSION_IDLE", "session-max": "FLARE_SESSION_MAX", "lock-after": "FLARE_LOCK_AFTER"}

// parseServeFlags reads serve's flags and environment and refuses bad
// settings with exit 2 before anything is created.
func parseServeFlags(env *cliEnv, args []string) (*serveOptions, error) {
	o := &serveOptions{sessions: flare.DefaultSessionPolicy()}
	fs := newFlagSet("serve", "[flags]", env.stderr)
	o.db.register(fs)
	o.audit.register(fs)
	o.backups.register(fs)
	o.keyFile.register(fs)
	o.tls.register(fs)
	o.portal.register(fs)
	o.fund.register(fs)
	o.authorities.register(fs)
	o.protection.register(fs)
	fs.DurationVar(&o.sessions.IdleTimeout, "session-idle", 30*time.Minute, "a staff session ends after this long without a request (env FLARE_SESSION_IDLE)")
	fs.DurationVar(&o.sessions.AbsoluteTimeout, "session-max", 12*time.Hour, "a staff session ends this long after sign-in (env FLARE_SESSION_MAX)")
	fs.IntVar(&o.signInLimit, "sign-in-limit", 10, "sign-in and enrolment attempts a minute per client address; behind a proxy all staff share one address, so raise it there (env FLARE_SIGN_IN_LIMIT)")
	fs.Int64Var(&o.maxDocumentSize, "max-document-size", flare.DefaultMaxDocumentSize, "largest document a case may hold, in `bytes` (env FLARE_MAX_DOCUMENT_SIZE)")
	fs.IntVar(&o.sessions.LockAfter, "lock-after", 10, "failed sign-ins in a row that lock an account until an admin unlocks it (env FLARE_LOCK_AFTER)")
	fs.DurationVar(&o.checkpointEvery, "checkpoint-interval", time.Minute, "how often a signed checkpoint of the audit log is published (env FLARE_CHECKPOINT_INTERVAL)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`address` to listen on (env FLARE_ADDR)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error (env FLARE_LOG_LEVEL)")
	fs.DurationVar(&o.shutdown, "shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGINT/SIGTERM (env FLARE_SHUTDOWN_TIMEOUT)")
	fs.BoolVar(&o.secureCookies, "secure-cookies", false, "mark cookies Secure even on plain HTTP, behind a TLS proxy (env FLARE_SECURE_COOKIES)")
	fs.StringVar(&o.issuer, "issuer", "Flare", "`name` of this installation in authenticator apps (env FLARE_ISSUER)")
	fs.StringVar(&o.baseURL, "base-url", "http://127.0.0.1:8080", "public `URL` of this server, for enrolment links (env FLARE_BASE_URL)")
	if err := parseFlags(fs, args, env.getenv, envOf(serveEnv, dbEnv, auditEnv, scheduleEnv, tlsEnv, fundEnv, authoritiesEnv, portalEnv, protectionEnv)); err != nil {
		return nil, err
	}
	var err error
	if o.logLevel, err = parseLevel(*logLevel); err != nil {
		return nil, err
	}
	switch {
	case o.shutdown <= 0:
		return nil, usageError("shutdown-timeout", "must be positive")
	case o.checkpointEvery < time.Second:
		return nil, usageError("checkpoint-interval", "must be at least 1s")
	case o.signInLimit < 1 || o.signInLimit > 6000:
		return nil, usageError("sign-in-limit", "must be between 1 and 6000 a minute")
	case o.maxDocumentSize < 1<<10 || o.maxDocumentSize > 1<<30:
		return nil, usageError("max-document-size", "must be between 1024 bytes and 1 GiB")
	}
	if err := validateSessionPolicy(o.sessions); err != nil {
		return nil, err
	}
	if o.fundRules, err = o.fund.rules(); err != nil {
		return nil, err
	}
	if o.competent, err = o.authorities.parse(); err != nil {
		return nil, err
	}
	if err := o.protection.check(); err != nil {
		return nil, err
	}
	if err := o.portal.check(); err != nil {
		return nil, err
	}
	if o.backupTo, err = o.backups.check(); err != nil {
		return nil, err
	}
	// A bad certificate is a usage error found before anything starts.
	if o.tlsConfig, err = o.tls.config(); err != nil {
		return nil, err
	}
	return o, nil
}

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	o, err := parseServeFlags(env, args)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: o.logLevel}))
	store, err := o.db.open(ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	version, err := store.Migrate(ctx, logger)
	if err != nil {
		return err
	}
	stopJobs, err := startJobs(ctx, o, store, logger)
	if err != nil {
		return err
	}
	// However serve ends, the jobs stop (writing their last checkpoint)
	// before the database closes.
	defer stopJobs()
	keys, err := openKeyStore(ctx, o, store, logger)
	if err != nil {
		return err
	}
	srv, err := buildServer(o, store, keys, logger)
	if err != nil {
		return err
	}
	defer o.portal.startRetention(ctx, store, keys, logger)()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return usageError("addr", "cannot listen on %s: %v", o.addr, err)
	}
	if o.tlsConfig != nil {
		ln = tls.NewListener(ln, o.tlsConfig)
	}
	logger.Info("listening", "addr", ln.Addr().String(), "tls", o.tlsConfig != nil, "database", o.db.describe(), "schema_version", version)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

// startJobs starts the audit checkpoint publisher and the scheduled
// backups; the returned func stops them and waits until they are done.
// Signed checkpoints go to a file outside the database, so that editing or
// cutting the log is detectable.
func startJobs(ctx context.Context, o *serveOptions, store *sqlstore.DB, logger *slog.Logger) (stop func(), err error) {
	o.audit.resolve(o.db.data)
	key, err := o.audit.loadKey(true)
	if err != nil {
		return nil, err
	}
	jobCtx, cancel := context.WithCancel(ctx)
	checkpoints := make(chan struct{})
	go func() {
		defer close(checkpoints)
		// With several instances on one PostgreSQL, one publishes at a
		// time; another takes over within an interval if it stops.
		cp := audit.NewCheckpointer(key, audit.NewFileSink(o.audit.checkpoints))
		store.RunExclusive(jobCtx, auditCheckpointJob, o.checkpointEvery, logger, func(ctx context.Context) {
			store.RunAuditCheckpoints(ctx, cp, o.checkpointEvery, logger)
		})
	}()
	waitBackups := o.backups.start(jobCtx, store, o.backupTo, key, o.audit.checkpoints, logger)
	return func() { cancel(); waitBackups(); <-checkpoints }, nil
}

// openKeyStore opens the key ring, which lives outside the database and is
// made on first start, and checks it matches the database.
func openKeyStore(ctx context.Context, o *serveOptions, store *sqlstore.DB, logger *slog.Logger) (*sqlstore.KeyStore, error) {
	path := o.keyFile.resolve(&o.db)
	ring, created, err := vault.OpenOrCreate(path)
	if err != nil {
		return nil, flare.Errorf(flare.EINVALID, "-key-file: %v", err)
	}
	if created {
		logger.Warn("created a new key ring: back it up apart from the database", "path", path)
	}
	keys := sqlstore.NewKeyStore(store, ring)
	if err := keys.Check(ctx); err != nil {
		return nil, err
	}
	return keys, nil
}

// buildServer wires the services into the HTTP server.
func buildServer(o *serveOptions, store *sqlstore.DB, keys *sqlstore.KeyStore, logger *slog.Logger) (*flarehttp.Server, error) {
	accounts, err := sqlstore.NewAccountService(store, keys, o.sessions, auth.DefaultParams(), o.issuer)
	if err != nil {
		return nil, err
	}
	persons := sqlstore.NewPersonService(store, keys).WithCompetentAuthorities(o.competent).WithProtection(o.protection.cfg)
	return newServer(flarehttp.Config{
		Logger: logger, Database: store, Accounts: accounts,
		Idempotency: sqlstore.NewIdempotencyStore(store),
		Cases:       sqlstore.NewCaseService(store).WithKeys(keys), Users: sqlstore.NewUserService(store, o.sessions),
		Persons:       persons,
		Matches:       sqlstore.NewMatchService(store, persons),
		Statistics:    sqlstore.NewStatisticsService(store),
		Referrals:     sqlstore.NewReferralService(store),
		Inspections:   sqlstore.NewInspectionService(store, keys),
		Proceedings:   sqlstore.NewProceedingService(store, keys),
		Erasure:       persons,
		Protection:    sqlstore.NewProtectionService(store, keys, o.protection.cfg),
		Grants:        sqlstore.NewGrantService(store),
		Assessments:   sqlstore.NewAssessmentService(store, keys, screening.DefaultConfig()),
		Agencies:      sqlstore.NewAgencyService(store),
		Claims:        sqlstore.NewClaimService(store, keys, o.fundRules),
		Organisations: sqlstore.NewOrganisationService(store), Worksites: sqlstore.NewWorksiteService(store),
		BaseURL:       o.baseURL,
		SignInLimit:   flarehttp.RateLimit{Every: time.Minute / time.Duration(o.signInLimit), Burst: max(1, o.signInLimit/2)},
		SecureCookies: o.secureCookies, ShutdownTimeout: o.shutdown,
		Reports: o.portal.service(store, keys), Portal: o.portal.cfg,

		Notes: sqlstore.NewNoteService(store, keys), Tasks: sqlstore.NewTaskService(store),
		Documents: sqlstore.NewDocumentService(store, keys).WithMaxSize(o.maxDocumentSize),
		Timeline:  sqlstore.NewTimelineService(store), MaxDocumentSize: o.maxDocumentSize,
	})
}

// auditCheckpointJob names the checkpoint publisher among scheduled jobs.
const auditCheckpointJob = "audit-checkpoints"

// tlsFlags are serve's certificate and key for HTTPS.
type tlsFlags struct {
	cert, key string
}

// tlsEnv maps the TLS flags to their environment variables.
var tlsEnv = map[string]string{"tls-cert": "FLARE_TLS_CERT", "tls-key": "FLARE_TLS_KEY"}

func (f *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "tls-cert", "", "PEM certificate `file` (with intermediates) to serve HTTPS; needs -tls-key (env FLARE_TLS_CERT)")
	fs.StringVar(&f.key, "tls-key", "", "PEM private key `file` of -tls-cert (env FLARE_TLS_KEY)")
}

// config loads the key pair into a TLS configuration, or returns nil for
// plain HTTP when neither flag is set. One without the other is refused:
// a half-configured server must not quietly fall back to plain HTTP.
func (f *tlsFlags) config() (*tls.Config, error) {
	switch {
	case f.cert == "" && f.key == "":
		return nil, nil
	case f.cert == "":
		return nil, usageError("tls-cert", "is required with -tls-key")
	case f.key == "":
		return nil, usageError("tls-key", "is required with -tls-cert")
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		return nil, usageError("tls-cert", "cannot load the key pair: %v", err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{pair},
		// TLS 1.0 and 1.1 are broken. For 1.2, only forward-secret AEAD
		// suites (Mozilla's "intermediate" list); 1.3 suites are fixed.
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos: []string{"h2", "http/1.1"},
	}, nil
}

// newServer completes cfg with the pages and builds the HTTP server.
func newServer(cfg flarehttp.Config) (*flarehttp.Server, error) {
	catalog, err := html.LoadCatalog()
	if err != nil {
		return nil, err
	}
	assets, err := html.LoadAssets()
	if err != nil {
		return nil, err
	}
	renderer, err := html.NewRenderer(catalog, assets)
	if err != nil {
		return nil, err
	}
	cfg.Renderer = renderer
	return flarehttp.NewServer(cfg)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, usageError("log-level", "%q is not one of debug, info, warn, error", s)
	}
	return l, nil
}

// validateSessionPolicy refuses session settings that would lock everyone
// out or keep sessions forever.
func validateSessionPolicy(p flare.SessionPolicy) error {
	switch {
	case p.IdleTimeout < time.Minute:
		return usageError("session-idle", "must be at least 1m")
	case p.AbsoluteTimeout < p.IdleTimeout:
		return usageError("session-max", "must not be shorter than -session-idle")
	case p.AbsoluteTimeout > 7*24*time.Hour:
		return usageError("session-max", "must be at most 168h")
	case p.LockAfter < 3 || p.LockAfter > 100:
		return usageError("lock-after", "must be between 3 and 100")
	}
	return nil
}
