package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// TestServePortalFlags: the portal's settings come from flags or the
// environment; bad values are exit 2 naming the flag.
func TestServePortalFlags(t *testing.T) {
	vars := map[string]string{"FLARE_PORTAL_EMERGENCY": "Police=190, Labour hotline=0800 100", "FLARE_RECEIPT_TTL": "720h"}
	env := &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	o, err := parseServeFlags(env, []string{"--portal-onion", "http://abc.onion", "--report-retention", "2160h"})
	if err != nil {
		t.Fatal(err)
	}
	p := o.portal
	if len(p.cfg.EmergencyNumbers) != 2 || p.cfg.EmergencyNumbers[1].Number != "0800 100" || p.cfg.OnionLocation != "http://abc.onion" ||
		p.receipt != 720*time.Hour || p.retention != 2160*time.Hour || p.cfg.ExitURL == "" {
		t.Fatalf("portal settings: %+v", p)
	}
	for flag, bad := range map[string]string{"portal-emergency": "Police", "portal-onion": "javascript:alert(1)",
		"portal-exit-url": "ftp://x", "receipt-ttl": "1m", "report-retention": "1h"} {
		_, stderr, code := runCLI(t, "", nil, "serve", "--"+flag, bad)
		if code != 2 || !strings.Contains(stderr, flag) {
			t.Errorf("--%s %s: exit %d, %s", flag, bad, code, stderr)
		}
	}
}

// TestPartnerCreate: the key is printed once; a missing name is exit 2.
func TestPartnerCreate(t *testing.T) {
	data := []string{"FLARE_DATA=" + t.TempDir()}
	if _, stderr, code := runCLI(t, "", data, "agency", "create", "--name", "Labour", "--kind", "labour_inspectorate"); code != 0 {
		t.Fatalf("agency create: %d %s", code, stderr)
	}
	out, stderr, code := runCLI(t, "", data, "partner", "create", "--name", "Farmworkers' Union")
	if code != 0 || !strings.Contains(out, "flp_") {
		t.Fatalf("partner create: %d %q %s", code, out, stderr)
	}
	if _, stderr, code := runCLI(t, "", data, "partner", "create"); code != 2 || !strings.Contains(stderr, "name") {
		t.Fatalf("partner create without a name: %d %s", code, stderr)
	}
}
