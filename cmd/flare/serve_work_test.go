package main

import (
	"io"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestServeMaxDocumentSize: --max-document-size and FLARE_MAX_DOCUMENT_SIZE
// set the upload limit (default 10 MiB); a value out of range is exit 2
// naming the flag.
func TestServeMaxDocumentSize(t *testing.T) {
	env := func(vars map[string]string) *cliEnv {
		return &cliEnv{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	}
	for _, tc := range []struct {
		vars map[string]string
		args []string
		want int64
	}{
		{nil, nil, flare.DefaultMaxDocumentSize},
		{nil, []string{"--max-document-size", "1048576"}, 1 << 20},
		{map[string]string{"FLARE_MAX_DOCUMENT_SIZE": "2097152"}, nil, 2 << 20},
	} {
		o, err := parseServeFlags(env(tc.vars), tc.args)
		if err != nil {
			t.Errorf("%v %v: %v", tc.vars, tc.args, err)
			continue
		}
		if o.maxDocumentSize != tc.want {
			t.Errorf("%v %v: max %d, want %d", tc.vars, tc.args, o.maxDocumentSize, tc.want)
		}
	}
	for _, bad := range []string{"0", "512", "2147483648", "ten"} {
		_, stderr, code := runCLI(t, "", nil, "serve", "--max-document-size", bad)
		if code != 2 || !strings.Contains(stderr, "max-document-size") {
			t.Errorf("--max-document-size %s: exit %d, %s", bad, code, stderr)
		}
	}
}
