package main

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/html"
	flarehttp "github.com/flare-ilo/flare/http"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/vault"
)

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("serve", "[flags]", env.stderr)
	var db dbFlags
	db.register(fs)
	var af auditFlags
	af.register(fs)
	var keyFile keyFileFlag
	keyFile.register(fs)
	sessionIdle := fs.Duration("session-idle", 30*time.Minute, "a staff session ends after this long without a request (env FLARE_SESSION_IDLE)")
	sessionMax := fs.Duration("session-max", 12*time.Hour, "a staff session ends this long after sign-in (env FLARE_SESSION_MAX)")
	lockAfter := fs.Int("lock-after", 10, "failed sign-ins in a row that lock an account until an admin unlocks it (env FLARE_LOCK_AFTER)")
	checkpointEvery := fs.Duration("checkpoint-interval", time.Minute, "how often a signed checkpoint of the audit log is published (env FLARE_CHECKPOINT_INTERVAL)")
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on (env FLARE_ADDR)")
	logLevel := fs.String("log-level", "info", "log `level`: debug, info, warn or error (env FLARE_LOG_LEVEL)")
	shutdown := fs.Duration("shutdown-timeout", 30*time.Second, "how long in-flight requests may run after SIGINT/SIGTERM (env FLARE_SHUTDOWN_TIMEOUT)")
	secureCookies := fs.Bool("secure-cookies", false, "mark cookies Secure even on plain HTTP, behind a TLS proxy (env FLARE_SECURE_COOKIES)")
	issuer := fs.String("issuer", "Flare", "`name` of this installation in authenticator apps (env FLARE_ISSUER)")
	baseURL := fs.String("base-url", "http://127.0.0.1:8080", "public `URL` of this server, for enrolment links (env FLARE_BASE_URL)")
	envNames := map[string]string{"addr": "FLARE_ADDR", "log-level": "FLARE_LOG_LEVEL", "shutdown-timeout": "FLARE_SHUTDOWN_TIMEOUT",
		"secure-cookies": "FLARE_SECURE_COOKIES", "issuer": "FLARE_ISSUER", "base-url": "FLARE_BASE_URL",
		"checkpoint-interval": "FLARE_CHECKPOINT_INTERVAL", "key-file": "FLARE_KEY_FILE",
		"session-idle": "FLARE_SESSION_IDLE", "session-max": "FLARE_SESSION_MAX", "lock-after": "FLARE_LOCK_AFTER"}
	for _, m := range []map[string]string{dbEnv, auditEnv} {
		for k, v := range m {
			envNames[k] = v
		}
	}
	if err := parseFlags(fs, args, env.getenv, envNames); err != nil {
		return err
	}
	level, err := parseLevel(*logLevel)
	if err != nil {
		return err
	}
	if *shutdown <= 0 {
		return usageError("shutdown-timeout", "must be positive")
	}
	if *checkpointEvery < time.Second {
		return usageError("checkpoint-interval", "must be at least 1s")
	}
	sessions := flare.DefaultSessionPolicy()
	sessions.IdleTimeout, sessions.AbsoluteTimeout, sessions.LockAfter = *sessionIdle, *sessionMax, *lockAfter
	if err := validateSessionPolicy(sessions); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(env.stderr, &slog.HandlerOptions{Level: level}))

	store, err := db.open(ctx, true)
	if err != nil {
		return err
	}
	defer store.Close()
	version, err := store.Migrate(ctx, logger)
	if err != nil {
		return err
	}
	// Signed checkpoints of the audit log go to a file outside the
	// database, so that editing or cutting the log is detectable.
	af.resolve(db.data)
	key, err := af.loadKey(true)
	if err != nil {
		return err
	}
	cpCtx, stopCheckpoints := context.WithCancel(ctx)
	checkpoints := make(chan struct{})
	go func() {
		defer close(checkpoints)
		store.RunAuditCheckpoints(cpCtx, audit.NewCheckpointer(key, audit.NewFileSink(af.checkpoints)), *checkpointEvery, logger)
	}()
	// However serve ends, the checkpointer stops and writes its last
	// checkpoint before the database closes.
	defer func() { stopCheckpoints(); <-checkpoints }()
	// The key ring lives outside the database; it is made on first start.
	ring, created, err := vault.OpenOrCreate(keyFile.resolve(&db))
	if err != nil {
		return flare.Errorf(flare.EINVALID, "-key-file: %v", err)
	}
	if created {
		logger.Warn("created a new key ring: back it up apart from the database", "path", keyFile.resolve(&db))
	}
	keys := sqlstore.NewKeyStore(store, ring)
	if err := keys.Check(ctx); err != nil {
		return err
	}
	accounts, err := sqlstore.NewAccountService(store, keys, sessions, auth.DefaultParams(), *issuer)
	if err != nil {
		return err
	}
	srv, err := newServer(flarehttp.Config{Logger: logger, Database: store, Accounts: accounts,
		Cases: sqlstore.NewCaseService(store), Users: sqlstore.NewUserService(store, sessions),
		BaseURL: *baseURL, SecureCookies: *secureCookies, ShutdownTimeout: *shutdown})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageError("addr", "cannot listen on %s: %v", *addr, err)
	}
	logger.Info("listening", "addr", ln.Addr().String(), "database", db.describe(), "schema_version", version)
	if err := srv.Serve(ctx, ln); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
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
