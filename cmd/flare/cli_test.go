package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// runCLI runs the flare binary's dispatcher in-process with its own streams
// and an environment that holds only the given variables ("KEY=VALUE").
func runCLI(t *testing.T, stdin string, environ []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	vars := map[string]string{}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out, errb bytes.Buffer
	env := &cliEnv{
		stdin:  io.Reader(strings.NewReader(stdin)),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	}
	code = run(context.Background(), env, args)
	return out.String(), errb.String(), code
}
