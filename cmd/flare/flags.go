package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"

	"github.com/flare-ilo/flare"
)

// errHelpShown is returned when -h printed a subcommand's usage: not a failure.
var errHelpShown = errors.New("help shown")

// newFlagSet returns a FlagSet for one subcommand that reports errors instead
// of exiting, and prints its usage to the given writer.
func newFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("flare "+name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: flare %s %s\n\nFlags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and then fills every flag the command line did not
// set from its FLARE_* environment variable (flag wins over environment).
// envNames maps a flag name to its variable, e.g. "data" -> "FLARE_DATA".
// Bad flags or values come back as an invalid-input error naming the flag.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, envNames map[string]string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return &flare.Error{Code: flare.EINVALID, Message: err.Error()}
	}
	if fs.NArg() > 0 {
		return flare.Errorf(flare.EINVALID, "unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for name, envName := range envNames {
		if set[name] {
			continue
		}
		v := getenv(envName)
		if v == "" {
			continue
		}
		if err := fs.Set(name, v); err != nil {
			return flare.Errorf(flare.EINVALID, "invalid value %q for %s (flag -%s): %v", v, envName, name, err)
		}
	}
	return nil
}

// usageError returns an invalid-input error for a flag whose value is wrong
// or missing, naming the flag so the operator can fix the call.
func usageError(flagName, format string, args ...any) error {
	return flare.Errorf(flare.EINVALID, "-%s: %s", flagName, fmt.Sprintf(format, args...))
}

// parseFlagsInterleaved is parseFlags for commands that take positional
// arguments: flags may stand before, between or after them
// ("flare migrate status --data x" and "flare migrate --data x status").
func parseFlagsInterleaved(fs *flag.FlagSet, args []string, getenv func(string) string, envNames map[string]string) ([]string, error) {
	var pos []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelpShown
			}
			return nil, &flare.Error{Code: flare.EINVALID, Message: err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := parseFlags(fs, nil, getenv, envNames); err != nil {
		return nil, err
	}
	return pos, nil
}

// envOf merges the flag-to-variable maps of the flag groups a command uses
// into the one map parseFlags takes.
func envOf(groups ...map[string]string) map[string]string {
	all := map[string]string{}
	for _, g := range groups {
		maps.Copy(all, g)
	}
	return all
}
