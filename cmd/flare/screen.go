package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/screening"
)

const screenSynopsis = "--in observations.json [--format json|text] [--rule VERSION] [--presume-minor=true|false]"

// maxScreenInput bounds the input file: a screening is one person's
// observations, and a runaway file must not exhaust memory.
const maxScreenInput = 32 << 20

// runScreen screens one person's observations against the forced-labour and
// trafficking rules (issue 7); see docs/screening.md.
func runScreen(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("screen", screenSynopsis, env.stderr)
	in := fs.String("in", "", "observations `file` in JSON (\"-\" for standard input)")
	format := fs.String("format", "json", "output `format`: json or text (English)")
	rule := fs.String("rule", screening.LatestVersion, "rule set `version` to screen under")
	presumeMinor := fs.Bool("presume-minor", screening.DefaultConfig().PresumeMinor,
		"apply the child rule when the age is unknown and may_be_minor is true")
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	if *in == "" {
		return usageError("in", "required: the observations file")
	}
	if *format != "json" && *format != "text" {
		return usageError("format", "%q is not json or text", *format)
	}
	rules, ok := screening.Rules(*rule)
	if !ok {
		return usageError("rule", "unknown rule set %q (known: %s)", *rule, strings.Join(screening.Versions(), ", "))
	}

	data, err := readInput("in", *in, env.stdin, maxScreenInput)
	if err != nil {
		return err
	}
	input, err := screening.DecodeInput(data)
	if err != nil {
		return screenInputError(err)
	}
	cfg := screening.DefaultConfig()
	cfg.PresumeMinor = *presumeMinor
	res, err := rules.Screen(input, cfg)
	if err != nil {
		return screenInputError(err)
	}
	if *format == "text" {
		return writeScreenText(env.stdout, res)
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(res); err != nil {
		return fmt.Errorf("write screening: %w", err)
	}
	return nil
}

// screenInputError turns the engine's input error into an invalid-input
// error naming the field (exit 2).
func screenInputError(err error) error {
	var ie *screening.InputError
	if errors.As(err, &ie) {
		return flare.FieldError(ie.Field, "%s", ie.Message)
	}
	return fmt.Errorf("screen: %w", err)
}

// writeScreenText writes the explanation in English, one sentence a line.
func writeScreenText(w io.Writer, res screening.Result) error {
	var b strings.Builder
	for _, line := range screening.English().RenderAll(res.Explanation) {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write screening: %w", err)
	}
	return nil
}
