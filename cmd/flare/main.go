// Command flare is the single binary of Flare: the server, its database
// maintenance and the command-line engines (screening, wages, linkage,
// estimation). Run "flare help" for the list of subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/flare-ilo/flare"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &cliEnv{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
	}
	code := run(ctx, env, os.Args[1:])
	stop()
	os.Exit(code)
}

// cliEnv is everything a subcommand may touch of the outside world, passed in
// so that tests run subcommands in-process with their own streams and
// environment.
type cliEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// logger returns a JSON logger on stderr. JSON keeps each record on one line
// whatever the input contains (checklist R-IH4).
func (e *cliEnv) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// run dispatches to a subcommand and turns its error into an exit status and
// a one-line message on stderr.
func run(ctx context.Context, env *cliEnv, args []string) int {
	if len(args) == 0 {
		printUsage(env.stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return runHelp(env, rest)
	}
	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(env.stderr, "flare: unknown command %q\n", name)
		printUsage(env.stderr)
		return 2
	}
	err := cmd.run(ctx, env, rest)
	if err == nil || errors.Is(err, errHelpShown) {
		return 0
	}
	fmt.Fprintf(env.stderr, "flare %s: %s\n", name, errorText(err))
	return flare.ExitCode(err)
}

// errorText shows the full message of an application error and of an
// internal one alike: the CLI is run by an operator on the server, who needs
// the detail a web client must not see.
func errorText(err error) string {
	var e *flare.Error
	if errors.As(err, &e) && e.Code != flare.EINTERNAL {
		return e.Message
	}
	return err.Error()
}

func runHelp(env *cliEnv, args []string) int {
	if len(args) == 0 {
		printUsage(env.stdout)
		return 0
	}
	cmd, ok := findCommand(args[0])
	if !ok {
		fmt.Fprintf(env.stderr, "flare help: unknown command %q\n", args[0])
		return 2
	}
	// Every subcommand prints its own flags for -h.
	_ = cmd.run(context.Background(), env, []string{"-h"})
	return 0
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "Usage: flare <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "flare <command> -h" for the flags of one command.`)
}
