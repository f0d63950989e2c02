package mse

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Selector chooses and fits a model for a table: the rule the bootstrap
// repeats on every resampled table, so that the interval accounts for the
// uncertainty of the model choice as well as of the fit.
type Selector func(ctx context.Context, t *Table) (*Fit, error)

// Bootstrap is the outcome of BCaInterval.
type Bootstrap struct {
	Interval Interval
	// Replicates are the estimated totals of the resampled tables, in the
	// order drawn; failed replicates are left out.
	Replicates []float64
	// Failed counts resampled tables on which the selector found no model
	// (for instance a list left with no case).
	Failed int
	// BiasZ0 and Acceleration are the BCa constants z0 and a.
	BiasZ0, Acceleration float64
	Seed                 uint64
}

// ErrBootstrapDegenerate reports bootstrap replicates that cannot support a
// BCa interval.
var ErrBootstrapDegenerate = errors.New("bootstrap replicates are degenerate")

// BCaInterval returns the bias-corrected and accelerated bootstrap interval
// of SparseMSE's estimatepopulation (Chan, Silverman and Vincent 2019,
// section 3.3; Silverman, Chan and Vincent 2023; DiCiccio and Efron 1996):
//
//   - reps tables are drawn from the multinomial distribution with the
//     observed number of cases and the observed pattern proportions, and the
//     selector is rerun on each, giving replicate totals observed + exp(b0);
//   - the bias constant is z0 = Phi^-1(share of replicates below point);
//   - the acceleration a comes from the jackknife that removes one case at a
//     time, each distinct pattern weighted by its count;
//   - the limits are the replicates' type-8 quantiles (R's quantile(type=8))
//     at Phi(z0 + (z0 + z)/(1 - a (z0 + z))) for z = Phi^-1 of each tail.
//
// point is the estimate from the observed table. The draws come from a PCG
// generator seeded with seed, so a seed gives the same interval on every
// machine; they are not R's random stream, so the limits agree with
// SparseMSE's up to Monte Carlo error, not digit for digit.
func BCaInterval(ctx context.Context, t *Table, sel Selector, point float64, reps int, seed uint64, level float64) (*Bootstrap, error) {
	if reps < 10 {
		return nil, fmt.Errorf("bootstrap needs at least 10 replicates, got %d", reps)
	}
	if !(level > 0 && level < 1) {
		return nil, fmt.Errorf("confidence level %g outside (0, 1)", level)
	}
	rows := t.Rows()
	cum := make([]int64, len(rows))
	var n int64
	for i, p := range rows {
		n += t.Count(p)
		cum[i] = n
	}
	rng := rand.New(rand.NewPCG(seed, 0x6d7365)) // stream constant: "mse"
	b := &Bootstrap{Seed: seed}
	sample := t.Clone()
	drawn := make([]int64, len(rows))
	for range reps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		clear(drawn)
		for range n {
			u := int64(rng.Uint64N(uint64(n)))
			drawn[sort.Search(len(cum), func(i int) bool { return cum[i] > u })]++
		}
		for i, p := range rows {
			sample.counts[p] = drawn[i]
		}
		f, err := sel(ctx, sample)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			b.Failed++
			continue
		}
		b.Replicates = append(b.Replicates, f.Total())
	}
	if len(b.Replicates) < reps/2 {
		return nil, fmt.Errorf("%w: %d of %d resampled tables could not be fitted", ErrBootstrapDegenerate, b.Failed, reps)
	}
	below := 0
	for _, r := range b.Replicates {
		if r < point {
			below++
		}
	}
	b.BiasZ0 = normalQuantile(float64(below) / float64(len(b.Replicates)))
	if math.IsInf(b.BiasZ0, 0) {
		return nil, fmt.Errorf("%w: every replicate lies on one side of the estimate", ErrBootstrapDegenerate)
	}
	a, err := jackknifeAcceleration(ctx, t, sel)
	if err != nil {
		return nil, err
	}
	b.Acceleration = a
	sorted := slices.Clone(b.Replicates)
	slices.Sort(sorted)
	limit := func(tail float64) float64 {
		za := normalQuantile(tail) + b.BiasZ0
		return quantileType8(sorted, normalCDF(b.BiasZ0+za/(1-a*za)))
	}
	b.Interval = Interval{
		Point: point,
		Low:   limit((1 - level) / 2),
		High:  limit((1 + level) / 2),
		Level: level,
	}
	return b, nil
}

// jackknifeAcceleration returns the BCa acceleration from the delete-one-case
// jackknife, as estimatepopulation computes it: a = sum c_j r_j^3 /
// (6 (sum c_j r_j^2)^(3/2)) over the patterns j with count c_j, where r_j is
// the count-weighted mean of the leave-one-out totals minus the total with
// one case of pattern j removed.
func jackknifeAcceleration(ctx context.Context, t *Table, sel Selector) (float64, error) {
	rows := t.Rows()
	est := make([]float64, len(rows))
	var n float64
	mean := 0.0
	for i, p := range rows {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		c := t.Count(p)
		less := t.Clone()
		less.counts[p] = c - 1
		f, err := sel(ctx, less)
		if err != nil {
			return 0, fmt.Errorf("jackknife without one case of pattern %s: %w", t.patternString(p), err)
		}
		est[i] = f.Total()
		n += float64(c)
		mean += float64(c) * est[i]
	}
	mean /= n
	num, den := 0.0, 0.0
	for i, p := range rows {
		r := mean - est[i]
		c := float64(t.Count(p))
		num += c * r * r * r
		den += c * r * r
	}
	if den == 0 {
		return 0, nil
	}
	return num / (6 * math.Pow(den, 1.5)), nil
}

// quantileType8 returns the p-quantile of sorted data by Hyndman and Fan's
// definition 8 (median-unbiased), R's quantile(type = 8).
func quantileType8(sorted []float64, p float64) float64 {
	n := len(sorted)
	const a = 1.0 / 3
	nppm := a + p*(float64(n)+1-2*a)
	const fuzz = 4 * 2.220446049250313e-16
	j := math.Floor(nppm + fuzz)
	h := nppm - j
	if math.Abs(h) < fuzz {
		h = 0
	}
	at := func(k float64) float64 { // 1-based, clamped to the ends
		i := int(k) - 1
		return sorted[min(max(i, 0), n-1)]
	}
	if h == 0 {
		return at(j)
	}
	return (1-h)*at(j) + h*at(j+1)
}
