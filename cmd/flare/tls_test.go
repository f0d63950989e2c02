package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// selfSignedCert writes a fresh self-signed certificate for 127.0.0.1 and
// its key as PEM files in dir, and returns their paths and a pool that
// trusts the certificate.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "flare test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS runs flare serve with a certificate given through the
// environment: it speaks HTTPS only, TLS 1.2 at least, and sends HSTS.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	p := startServeEnv(t, []string{"FLARE_TLS_CERT=" + certFile, "FLARE_TLS_KEY=" + keyFile},
		"--data", filepath.Join(dir, "data"))

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	res, err := client.Get("https://" + p.addr + "/readyz")
	if err != nil {
		t.Fatalf("HTTPS request: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/readyz over HTTPS = %d", res.StatusCode)
	}
	if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Fatalf("connection state %+v: want TLS 1.2 or later", res.TLS)
	}
	if res.ProtoMajor != 2 {
		t.Errorf("protocol %s over TLS, want HTTP/2", res.Proto)
	}
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=31536000") {
		t.Errorf("no HSTS over TLS: %q", hsts)
	}

	// Old protocol versions are refused at the handshake.
	old := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	if conn, err := tls.Dial("tcp", p.addr, old); err == nil {
		conn.Close()
		t.Error("a TLS 1.1 handshake succeeded")
	}
	// Plain HTTP on the TLS port gets no page.
	plain := &http.Client{Timeout: 10 * time.Second}
	if res, err := plain.Get("http://" + p.addr + "/readyz"); err == nil {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == 200 {
			t.Error("plain HTTP was served on the TLS port")
		}
	}
	p.stop(t)
}

// TestServeTLSFlags: a certificate needs its key and the other way round,
// and an unreadable pair stops serve before it opens anything (exit 2).
func TestServeTLSFlags(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSignedCert(t, dir)
	otherDir := t.TempDir()
	_, otherKey, _ := selfSignedCert(t, otherDir)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o600)
	tests := []struct {
		name    string
		environ []string
		args    []string
		want    string
	}{
		{"cert without key", nil, []string{"--tls-cert", certFile}, "-tls-key: is required"},
		{"key without cert", nil, []string{"--tls-key", keyFile}, "-tls-cert: is required"},
		{"env cert without key", []string{"FLARE_TLS_CERT=" + certFile}, nil, "-tls-key: is required"},
		{"missing file", nil, []string{"--tls-cert", filepath.Join(dir, "none.pem"), "--tls-key", keyFile}, "-tls-cert: cannot load"},
		{"not PEM", nil, []string{"--tls-cert", garbage, "--tls-key", keyFile}, "-tls-cert: cannot load"},
		{"key of another cert", nil, []string{"--tls-cert", certFile, "--tls-key", otherKey}, "-tls-cert: cannot load"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data}, tt.args...)
			_, stderr, code := runCLI(t, "", tt.environ, args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(data); err == nil {
				t.Error("serve created its data directory before refusing the TLS flags")
			}
		})
	}
}

// TestDeployFiles guards the deployment examples: the systemd unit keeps
// its sandbox, the proxies forward no client address (the public portal
// must not learn who reports), and the example settings name only
// variables serve reads.
func TestDeployFiles(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("..", "..", "deploy", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	unit := read("flare.service")
	for _, want := range []string{"ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "ReadWritePaths=/var/lib/flare",
		"ProtectHome=yes", "CapabilityBoundingSet=\n", "Restart=always", "UMask=0077", "User=flare"} {
		if !strings.Contains(unit, want) {
			t.Errorf("flare.service lacks %q", want)
		}
	}
	nginx := read("nginx.conf")
	for _, want := range []string{`proxy_set_header X-Forwarded-For "";`, `proxy_set_header X-Real-IP "";`, `proxy_set_header Forwarded "";`} {
		if !strings.Contains(nginx, want) {
			t.Errorf("nginx.conf lacks %q", want)
		}
	}
	for _, leak := range []string{"$remote_addr", "$proxy_add_x_forwarded_for", "$realip_remote_addr", "real_ip_header", "$binary_remote_addr"} {
		for _, line := range strings.Split(nginx, "\n") {
			// The sign-in rate limit keys on the address in memory only.
			if strings.Contains(line, leak) && !strings.HasPrefix(line, "limit_req_zone $binary_remote_addr ") {
				t.Errorf("nginx.conf uses %s: it would pass on or log client addresses: %s", leak, line)
			}
		}
	}
	if regexp.MustCompile(`(?s)location /report \{[^}]*limit_req`).MatchString(nginx) {
		t.Error("nginx.conf keeps reporters' addresses for rate limiting")
	}
	if !regexp.MustCompile(`location /report \{\s*access_log off;`).MatchString(nginx) {
		t.Error("nginx.conf logs the public portal routes")
	}
	caddy := read("Caddyfile")
	for _, want := range []string{"header_up -X-Forwarded-For", "header_up -X-Real-IP", "header_up -Forwarded", "log_skip"} {
		if !strings.Contains(caddy, want) {
			t.Errorf("Caddyfile lacks %q", want)
		}
	}
	if n, m := len(regexp.MustCompile(`(?m)^\s*reverse_proxy `).FindAllString(caddy, -1)), strings.Count(caddy, "import no_client_address"); n == 0 || n != m {
		t.Errorf("Caddyfile: %d reverse_proxy blocks but %d remove client addresses", n, m)
	}
	if strings.Contains(caddy, "{remote") || strings.Contains(caddy, "{client_ip}") {
		t.Error("Caddyfile passes a client address placeholder")
	}

	env := read("flare.env.example")
	if !strings.Contains(env, "\nFLARE_SECURE_COOKIES=true\n") {
		t.Error("flare.env.example does not turn on Secure cookies behind the proxy")
	}
	var help strings.Builder
	runHelpOf(t, &help)
	for _, name := range regexp.MustCompile(`(?m)^#? ?(FLARE_[A-Z_]+)=`).FindAllStringSubmatch(env, -1) {
		if !strings.Contains(help.String(), name[1]) {
			t.Errorf("flare.env.example sets %s, which flare serve does not read", name[1])
		}
	}
}

// runHelpOf writes flare serve's flag help to w.
func runHelpOf(t *testing.T, w io.Writer) {
	t.Helper()
	_, stderr, code := runCLI(t, "", nil, "serve", "-h")
	if code != 0 {
		t.Fatalf("serve -h = %d", code)
	}
	io.WriteString(w, stderr)
}
