package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3";
// otherwise the module version recorded by the Go toolchain is shown.
var version = ""

func runVersion(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("version", "", env.stderr)
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "flare %s (%s, %s/%s)\n", buildVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
