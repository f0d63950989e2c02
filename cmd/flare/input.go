package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// openInput opens the file an input flag names, or standard input for "-".
// A file that cannot be opened is the operator's mistake: exit 2 naming the
// flag.
func openInput(flagName, path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "-" {
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError(flagName, "cannot open %s: %v", path, errors.Unwrap(err))
	}
	return f, nil
}

// readInput reads a whole input of at most limit bytes, so that a runaway
// file cannot exhaust memory.
func readInput(flagName, path string, stdin io.Reader, limit int64) ([]byte, error) {
	r, err := openInput(flagName, path, stdin)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, usageError(flagName, "%s is larger than %d MiB", path, limit>>20)
	}
	return data, nil
}
