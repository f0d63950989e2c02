package main

import (
	"context"
	"flag"
	"log/slog"
	"net/url"
	"time"

	flarehttp "github.com/flare-ilo/flare/http"
	"github.com/flare-ilo/flare/sqlstore"
)

// portalFlags are serve's settings of the public reporting portal and the
// intake queue (issue #4).
type portalFlags struct {
	emergency string
	onion     string
	exitURL   string
	receipt   time.Duration
	retention time.Duration
	purge     time.Duration

	// Set by check and service.
	cfg flarehttp.PortalConfig
	svc *sqlstore.ReportService
}

// portalEnv maps the portal flags to their environment variables.
var portalEnv = map[string]string{"portal-emergency": "FLARE_PORTAL_EMERGENCY", "portal-onion": "FLARE_PORTAL_ONION",
	"portal-exit-url": "FLARE_PORTAL_EXIT_URL", "receipt-ttl": "FLARE_RECEIPT_TTL", "report-retention": "FLARE_REPORT_RETENTION",
	"report-retention-interval": "FLARE_REPORT_RETENTION_INTERVAL"}

func (p *portalFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&p.emergency, "portal-emergency", "", "emergency numbers the portal shows first to someone in danger, as `LABEL=NUMBER,...` (env FLARE_PORTAL_EMERGENCY)")
	fs.StringVar(&p.onion, "portal-onion", "", "onion `URL` of this server, announced with Onion-Location on portal pages (env FLARE_PORTAL_ONION)")
	fs.StringVar(&p.exitURL, "portal-exit-url", "https://www.wikipedia.org/", "neutral `URL` the portal's quick-exit button leads to (env FLARE_PORTAL_EXIT_URL)")
	fs.DurationVar(&p.receipt, "receipt-ttl", sqlstore.DefaultReceiptTTL, "a receipt code stops working after this long without use; the report stays (env FLARE_RECEIPT_TTL)")
	fs.DurationVar(&p.retention, "report-retention", sqlstore.DefaultReportRetention, "reports never turned into a case are deleted after this long (env FLARE_REPORT_RETENTION)")
	fs.DurationVar(&p.purge, "report-retention-interval", time.Hour, "how often expired reports are looked for (env FLARE_REPORT_RETENTION_INTERVAL)")
}

// check validates the flags and builds the portal configuration.
func (p *portalFlags) check() error {
	nums, err := flarehttp.ParseEmergencyNumbers(p.emergency)
	if err != nil {
		return usageError("portal-emergency", "write LABEL=NUMBER pairs separated by commas, e.g. \"Police=190,Labour hotline=0800 100\"")
	}
	for name, raw := range map[string]string{"portal-onion": p.onion, "portal-exit-url": p.exitURL} {
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageError(name, "must be an http or https URL")
		}
	}
	switch {
	case p.receipt < time.Hour:
		return usageError("receipt-ttl", "must be at least 1h")
	case p.retention < 24*time.Hour:
		return usageError("report-retention", "must be at least 24h")
	case p.purge < time.Minute:
		return usageError("report-retention-interval", "must be at least 1m")
	}
	p.cfg = flarehttp.PortalConfig{EmergencyNumbers: nums, OnionLocation: p.onion, ExitURL: p.exitURL}
	return nil
}

// service returns the report service, made once.
func (p *portalFlags) service(store *sqlstore.DB, keys *sqlstore.KeyStore) *sqlstore.ReportService {
	if p.svc == nil {
		p.svc = sqlstore.NewReportService(store, keys, sqlstore.ReceiptParams)
		p.svc.SetReceiptTTL(p.receipt)
	}
	return p.svc
}

// startRetention runs the report retention job, on one instance at a time;
// the returned func stops it and waits.
func (p *portalFlags) startRetention(ctx context.Context, store *sqlstore.DB, keys *sqlstore.KeyStore, logger *slog.Logger) (stop func()) {
	jobCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	svc := p.service(store, keys)
	go func() {
		defer close(done)
		store.RunExclusive(jobCtx, sqlstore.ReportRetentionJob, p.purge, logger, func(ctx context.Context) {
			svc.RunReportRetention(ctx, p.retention, p.purge, logger)
		})
	}()
	return func() { cancel(); <-done }
}
