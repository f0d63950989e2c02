package http

import (
	"log/slog"
	"regexp"
	"strings"
)

// ipPattern matches IPv4 and IPv6 addresses with an optional port, as
// net/http prints them in its own error messages ("http: TLS handshake error
// from 203.0.113.9:52114: ...").
var ipPattern = regexp.MustCompile(`\[?[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+\]?(:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`)

// redactingWriter receives net/http's internal error log and forwards it to
// slog with every address removed: anonymous reporters use this server, and
// their addresses must never reach a log (security checklist R-IN1).
type redactingWriter struct{ logger *slog.Logger }

func (w *redactingWriter) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	w.logger.Warn("http server", "detail", redactAddresses(msg))
	return len(p), nil
}

func redactAddresses(s string) string {
	return ipPattern.ReplaceAllString(s, "[address]")
}
