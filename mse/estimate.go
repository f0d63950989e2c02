package mse

import (
	"context"
	"fmt"
	"math"
)

// Method is the rule that chooses the model's two-list terms.
type Method string

// The model-choice rules.
const (
	// MethodMain fits main effects only: the lists are taken as
	// independent given the population.
	MethodMain Method = "main"
	// MethodStepwise is SparseMSE's stepwise selection by Poisson p-values
	// (Stepwise).
	MethodStepwise Method = "stepwise"
	// MethodAIC is the Bales-Hesketh-Silverman stepwise selection by AIC
	// (StepwiseAIC).
	MethodAIC Method = "aic"
)

// IntervalMethod is how the confidence interval is computed.
type IntervalMethod string

// The interval methods.
const (
	// IntervalLogNormal is SparseMSE's interval (LogNormalInterval).
	IntervalLogNormal IntervalMethod = "log-normal"
	// IntervalProfile is Rcapture's profile likelihood (ProfileInterval).
	IntervalProfile IntervalMethod = "profile"
	// IntervalBootstrap is the BCa bootstrap repeating the model choice
	// (BCaInterval).
	IntervalBootstrap IntervalMethod = "bootstrap"
)

// Defaults of Options.
const (
	DefaultLevel      = 0.95
	DefaultReplicates = 1000
	// DefaultSeed is SparseMSE's default iseed.
	DefaultSeed = 1234
)

// Options configure Estimate. Start from DefaultOptions: the zero value of
// PThreshold means "main effects only", not "default".
type Options struct {
	Method   Method
	Interval IntervalMethod
	// Level is the coverage of the interval, e.g. 0.95.
	Level float64
	// PThreshold is the p-value a term must reach to be added: SparseMSE's
	// pthresh for MethodStepwise, the Wald threshold for MethodAIC.
	PThreshold float64
	// Replicates and Seed drive IntervalBootstrap.
	Replicates int
	Seed       uint64
}

// DefaultOptions returns the defaults for a method: log-normal 95% interval,
// the method's published threshold, 1,000 bootstrap replicates, seed 1234.
func DefaultOptions(m Method) Options {
	o := Options{Method: m, Interval: IntervalLogNormal, Level: DefaultLevel, Replicates: DefaultReplicates, Seed: DefaultSeed}
	switch m {
	case MethodStepwise:
		o.PThreshold = DefaultPThreshold
	case MethodAIC:
		o.PThreshold = DefaultAICPThreshold
	}
	return o
}

// Result is an estimate of the population with its interval and the model
// behind it.
type Result struct {
	Lists    []string
	Observed int64
	Options  Options
	// Fit is the chosen model; Steps and Skipped come from the search.
	Fit     *Fit
	Steps   []Step
	Skipped []string
	// Total is the point estimate that goes with the interval: observed +
	// exp(b0) for the log-normal and bootstrap intervals (SparseMSE), the
	// profile likelihood maximiser for the profile interval (Rcapture).
	// Unobserved is Total - Observed.
	Total, Unobserved float64
	// Low and High bound the total population.
	Low, High     float64
	HighUnbounded bool
	// Bootstrap holds the replicates when the interval is bootstrapped.
	Bootstrap *Bootstrap
}

// Selector returns the model-choice rule of the options.
func (o Options) Selector() (Selector, error) {
	switch o.Method {
	case MethodMain:
		return func(_ context.Context, t *Table) (*Fit, error) { return FitModel(t, nil) }, nil
	case MethodStepwise:
		return func(ctx context.Context, t *Table) (*Fit, error) {
			s, err := Stepwise(ctx, t, o.PThreshold)
			if err != nil {
				return nil, err
			}
			return s.Fit, nil
		}, nil
	case MethodAIC:
		return func(ctx context.Context, t *Table) (*Fit, error) {
			s, err := StepwiseAIC(ctx, t, o.PThreshold)
			if err != nil {
				return nil, err
			}
			return s.Fit, nil
		}, nil
	}
	return nil, fmt.Errorf("unknown method %q (want main, stepwise or aic)", o.Method)
}

func (o Options) validate() error {
	if _, err := o.Selector(); err != nil {
		return err
	}
	switch o.Interval {
	case IntervalLogNormal, IntervalProfile, IntervalBootstrap:
	default:
		return fmt.Errorf("unknown interval %q (want log-normal, profile or bootstrap)", o.Interval)
	}
	if !(o.Level > 0 && o.Level < 1) {
		return fmt.Errorf("confidence level %g outside (0, 1)", o.Level)
	}
	if math.IsNaN(o.PThreshold) || o.PThreshold < 0 || o.PThreshold > 1 {
		return fmt.Errorf("p-value threshold %g outside [0, 1]", o.PThreshold)
	}
	if o.Interval == IntervalBootstrap && (o.Replicates < 10 || o.Replicates > 100000) {
		return fmt.Errorf("bootstrap replicates %d outside [10, 100000]", o.Replicates)
	}
	return nil
}

// Estimate chooses a model for the table, fits it and computes the interval.
func Estimate(ctx context.Context, t *Table, o Options) (*Result, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	res := &Result{Lists: t.Lists(), Observed: t.Observed(), Options: o}
	var sel *Selection
	var err error
	switch o.Method {
	case MethodMain:
		var f *Fit
		f, err = FitModel(t, nil)
		sel = &Selection{Fit: f}
	case MethodStepwise:
		sel, err = Stepwise(ctx, t, o.PThreshold)
	case MethodAIC:
		sel, err = StepwiseAIC(ctx, t, o.PThreshold)
	}
	if err != nil {
		return nil, err
	}
	res.Fit, res.Steps, res.Skipped = sel.Fit, sel.Steps, sel.Skipped
	var iv Interval
	switch o.Interval {
	case IntervalLogNormal:
		iv, err = LogNormalInterval(sel.Fit, o.Level)
	case IntervalProfile:
		iv, err = ProfileInterval(sel.Fit, o.Level)
	case IntervalBootstrap:
		selector, _ := o.Selector()
		var b *Bootstrap
		b, err = BCaInterval(ctx, t, selector, sel.Fit.Total(), o.Replicates, o.Seed, o.Level)
		if err == nil {
			iv, res.Bootstrap = b.Interval, b
		}
	}
	if err != nil {
		return nil, err
	}
	res.Total, res.Low, res.High, res.HighUnbounded = iv.Point, iv.Low, iv.High, iv.HighUnbounded
	res.Unobserved = res.Total - float64(res.Observed)
	return res, nil
}
