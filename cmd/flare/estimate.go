package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/mse"
)

const estimateSynopsis = "--in lists.csv [--method main|stepwise|aic] [--ci log-normal|profile|bootstrap] [--format json|text]"

// runEstimate estimates the number of cases on none of the lists by multiple
// systems estimation (issue 10); see docs/mse.md.
func runEstimate(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("estimate", estimateSynopsis, env.stderr)
	in := fs.String("in", "", "capture table CSV: one 0/1 column per list and a final count column (\"-\" for stdin)")
	method := fs.String("method", string(mse.MethodStepwise), "model choice: main (main effects only), stepwise (SparseMSE) or aic (Bales-Hesketh-Silverman)")
	ci := fs.String("ci", string(mse.IntervalLogNormal), "interval: log-normal (SparseMSE), profile (Rcapture profile likelihood) or bootstrap (BCa, repeats the model choice)")
	format := fs.String("format", "json", "output format: json or text")
	pthresh := fs.Float64("pthresh", mse.DefaultPThreshold, fmt.Sprintf("p-value a term must reach to enter the model (default %g for -method aic)", mse.DefaultAICPThreshold))
	level := fs.Float64("level", mse.DefaultLevel, "confidence level of the interval")
	nboot := fs.Int("nboot", mse.DefaultReplicates, "bootstrap replicates (-ci bootstrap)")
	seed := fs.Uint64("seed", mse.DefaultSeed, "bootstrap random seed (-ci bootstrap)")
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *in == "" {
		return usageError("in", "required: the capture table CSV")
	}
	opts := mse.DefaultOptions(mse.Method(*method))
	switch opts.Method {
	case mse.MethodMain, mse.MethodStepwise, mse.MethodAIC:
	default:
		return usageError("method", "%q is not main, stepwise or aic", *method)
	}
	opts.Interval = mse.IntervalMethod(*ci)
	switch opts.Interval {
	case mse.IntervalLogNormal, mse.IntervalProfile, mse.IntervalBootstrap:
	default:
		return usageError("ci", "%q is not log-normal, profile or bootstrap", *ci)
	}
	if *format != "json" && *format != "text" {
		return usageError("format", "%q is not json or text", *format)
	}
	if set["pthresh"] {
		if math.IsNaN(*pthresh) || *pthresh < 0 || *pthresh > 1 {
			return usageError("pthresh", "%g is outside [0, 1]", *pthresh)
		}
		opts.PThreshold = *pthresh
	}
	if !(*level > 0 && *level < 1) {
		return usageError("level", "%g is outside (0, 1)", *level)
	}
	opts.Level = *level
	if *nboot < 10 || *nboot > 100000 {
		return usageError("nboot", "%d is outside [10, 100000]", *nboot)
	}
	opts.Replicates, opts.Seed = *nboot, *seed

	table, err := readCaptureTable(*in, env.stdin)
	if err != nil {
		return err
	}
	res, err := mse.Estimate(ctx, table, opts)
	if err != nil {
		return estimateError(err)
	}
	if *format == "text" {
		return writeEstimateText(env.stdout, res)
	}
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(newEstimateJSON(res)); err != nil {
		return fmt.Errorf("write estimate: %w", err)
	}
	return nil
}

func readCaptureTable(path string, stdin io.Reader) (*mse.Table, error) {
	r, err := openInput("in", path, stdin)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	t, err := mse.ReadCSV(r)
	var ie *mse.InputError
	if errors.As(err, &ie) {
		return nil, flare.FieldError("in", "%s", ie.Error())
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return t, nil
}

// estimateError classifies an engine error: a table that supports no
// estimate is bad input (exit 2); anything else is a failure of the program.
func estimateError(err error) error {
	var me *mse.ModelError
	switch {
	case errors.As(err, &me):
		return flare.FieldError("in", "%s", me.Error())
	case errors.Is(err, mse.ErrBootstrapDegenerate):
		return flare.FieldError("in", "%s", err.Error())
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return fmt.Errorf("estimate: %w", err)
}

// estimateJSON is the JSON contract of "flare estimate" (issue 10): at
// least observed, unobserved, total, ci_low, ci_high, terms and method.
type estimateJSON struct {
	Lists           []string       `json:"lists"`
	Observed        int64          `json:"observed"`
	Unobserved      float64        `json:"unobserved"`
	Total           float64        `json:"total"`
	CILow           float64        `json:"ci_low"`
	CIHigh          float64        `json:"ci_high"`
	CIHighUnbounded bool           `json:"ci_high_unbounded,omitempty"`
	Level           float64        `json:"level"`
	CI              string         `json:"ci"`
	Method          string         `json:"method"`
	PThreshold      *float64       `json:"pthresh,omitempty"`
	Terms           []string       `json:"terms"`
	EmptyTerms      []string       `json:"empty_overlap_terms"`
	SkippedTerms    []string       `json:"skipped_terms"`
	Steps           []stepJSON     `json:"steps"`
	Fit             fitJSON        `json:"fit"`
	Bootstrap       *bootstrapJSON `json:"bootstrap,omitempty"`
}

type stepJSON struct {
	Term string   `json:"term"`
	P    float64  `json:"p_value"`
	AIC  *float64 `json:"aic,omitempty"`
}

type fitJSON struct {
	Deviance     float64    `json:"deviance"`
	DF           int        `json:"df"`
	AIC          float64    `json:"aic"`
	Iterations   int        `json:"iterations"`
	PoissonTotal float64    `json:"poisson_total"`
	Coefficients []coefJSON `json:"coefficients"`
}

type coefJSON struct {
	Name     string  `json:"name"`
	Estimate float64 `json:"estimate"`
	StdError float64 `json:"std_error"`
}

type bootstrapJSON struct {
	Replicates   int     `json:"replicates"`
	Failed       int     `json:"failed"`
	Seed         uint64  `json:"seed"`
	BiasZ0       float64 `json:"bias_z0"`
	Acceleration float64 `json:"acceleration"`
}

func newEstimateJSON(r *mse.Result) estimateJSON {
	out := estimateJSON{
		Lists:           r.Lists,
		Observed:        r.Observed,
		Unobserved:      r.Unobserved,
		Total:           r.Total,
		CILow:           r.Low,
		CIHigh:          r.High,
		CIHighUnbounded: r.HighUnbounded,
		Level:           r.Options.Level,
		CI:              string(r.Options.Interval),
		Method:          string(r.Options.Method),
		Terms:           nonNil(r.Fit.TermNames()),
		EmptyTerms:      nonNil(r.Fit.EmptyTermNames()),
		SkippedTerms:    nonNil(r.Skipped),
		Steps:           []stepJSON{},
		Fit: fitJSON{
			Deviance:     r.Fit.Deviance,
			DF:           r.Fit.DF,
			AIC:          r.Fit.AIC,
			Iterations:   r.Fit.Iterations,
			PoissonTotal: r.Fit.Total(),
		},
	}
	if r.Options.Method != mse.MethodMain {
		p := r.Options.PThreshold
		out.PThreshold = &p
	}
	for _, s := range r.Steps {
		st := stepJSON{Term: s.Term, P: s.P}
		if r.Options.Method == mse.MethodAIC {
			aic := s.AIC
			st.AIC = &aic
		}
		out.Steps = append(out.Steps, st)
	}
	for i, name := range r.Fit.Names {
		out.Fit.Coefficients = append(out.Fit.Coefficients, coefJSON{Name: name, Estimate: r.Fit.Coef[i], StdError: r.Fit.SE[i]})
	}
	if b := r.Bootstrap; b != nil {
		out.Bootstrap = &bootstrapJSON{Replicates: len(b.Replicates), Failed: b.Failed, Seed: b.Seed, BiasZ0: b.BiasZ0, Acceleration: b.Acceleration}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var methodTitles = map[mse.Method]string{
	mse.MethodMain:     "main effects only (lists independent)",
	mse.MethodStepwise: "stepwise by Poisson p-values (SparseMSE)",
	mse.MethodAIC:      "stepwise by AIC (Bales, Hesketh and Silverman)",
}

var intervalTitles = map[mse.IntervalMethod]string{
	mse.IntervalLogNormal: "log-normal",
	mse.IntervalProfile:   "profile likelihood",
	mse.IntervalBootstrap: "BCa bootstrap",
}

func writeEstimateText(w io.Writer, r *mse.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Lists:       %d (%s)\n", len(r.Lists), strings.Join(r.Lists, ", "))
	fmt.Fprintf(&b, "Observed:    %d cases on at least one list\n", r.Observed)
	fmt.Fprintf(&b, "Model:       %s", methodTitles[r.Options.Method])
	if r.Options.Method != mse.MethodMain {
		fmt.Fprintf(&b, ", p < %g", r.Options.PThreshold)
	}
	b.WriteString("\n")
	terms := "none"
	if names := r.Fit.TermNames(); len(names) > 0 {
		terms = strings.Join(names, " ")
	}
	fmt.Fprintf(&b, "Terms:       %s\n", terms)
	if empty := r.Fit.EmptyTermNames(); len(empty) > 0 {
		fmt.Fprintf(&b, "             (no case in common, cells fixed at zero: %s)\n", strings.Join(empty, " "))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "Left out:    %s (no finite or identifiable estimate with them)\n", strings.Join(r.Skipped, " "))
	}
	fmt.Fprintf(&b, "Unobserved:  %.0f\n", r.Unobserved)
	high := fmt.Sprintf("%.0f", r.High)
	if r.HighUnbounded {
		high = "above " + high
	}
	fmt.Fprintf(&b, "Total:       %.0f (%g%% %s interval %.0f to %s)\n", r.Total, 100*r.Options.Level, intervalTitles[r.Options.Interval], r.Low, high)
	fmt.Fprintf(&b, "Fit:         deviance %.2f on %d df, AIC %.2f, %d iterations\n", r.Fit.Deviance, r.Fit.DF, r.Fit.AIC, r.Fit.Iterations)
	for i, s := range r.Steps {
		fmt.Fprintf(&b, "Step %d:      + %s (p = %.3g)\n", i+1, s.Term, s.P)
	}
	if bs := r.Bootstrap; bs != nil {
		fmt.Fprintf(&b, "Bootstrap:   %d replicates (%d failed), seed %d, z0 %.3f, a %.4f\n", len(bs.Replicates), bs.Failed, bs.Seed, bs.BiasZ0, bs.Acceleration)
	}
	fmt.Fprintf(&b, "Meaning:     about %.0f people in the population the lists cover, %.0f of them on no list;\n", r.Total, r.Unobserved)
	fmt.Fprintf(&b, "             %g%% confidence: %.0f to %s, if the lists cover a closed population, records are\n", 100*r.Options.Level, r.Low, high)
	b.WriteString("             linked correctly and the model terms capture how the lists depend on each other.\n")
	_, err := io.WriteString(w, b.String())
	return err
}
