package mse

import (
	"context"
	"fmt"
)

// DefaultAICPThreshold is the significance level a term chosen by AIC must
// reach to stay in the model in the Bales-Hesketh-Silverman procedure
// (modslavmse MSEfit: pthresh = 0.05).
const DefaultAICPThreshold = 0.05

// StepwiseAIC chooses a model by the procedure of Bales, Hesketh and
// Silverman (2015), as modslavmse's MSEfit runs it on Rcapture's
// closedpCI.t: starting from main effects, fit the model with each two-list
// term not yet included, take the one with the lowest AIC (the first in list
// order on a tie), and stop if it does not lower the AIC or if its Wald
// p-value exceeds pthresh; otherwise add it and repeat.
//
// Rcapture fits every candidate with glm whether or not its estimate exists.
// Here a candidate whose lists share no case is fitted by the extended
// maximum likelihood estimate (its cells are fixed at zero), which has the
// AIC glm approaches; its Wald test is meaningless (the parameter is at minus
// infinity; glm reports a p-value near 1), so if chosen it stops the search
// as it does in R. A candidate that fails CheckModel for any other reason is
// skipped and named in Selection.Skipped rather than fitted.
func StepwiseAIC(ctx context.Context, t *Table, pthresh float64) (*Selection, error) {
	if pthresh < 0 || pthresh > 1 {
		return nil, fmt.Errorf("p-value threshold %g outside [0, 1]", pthresh)
	}
	main, err := FitModel(t, nil)
	if err != nil {
		return nil, err
	}
	sel := &Selection{Fit: main}
	pairs := allPairs(t.K())
	included := make([]bool, len(pairs))
	var terms []Pair
	skipped := map[Pair]bool{}
	for range pairs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var best *Fit
		bestJ := -1
		for j, p := range pairs {
			if included[j] {
				continue
			}
			cand := append(terms[:len(terms):len(terms)], p)
			if !CheckModel(t, cand).OK() {
				skipped[p] = true
				continue
			}
			f, err := fitUnchecked(t, cand)
			if err != nil {
				return nil, err
			}
			if best == nil || f.AIC < best.AIC {
				best, bestJ = f, j
			}
		}
		if best == nil || best.AIC >= sel.Fit.AIC {
			break
		}
		p := 1.0
		if len(best.EmptyTerms) == len(sel.Fit.EmptyTerms) {
			p = best.lastWaldP()
		}
		if p > pthresh {
			break
		}
		terms = append(terms, pairs[bestJ])
		included[bestJ] = true
		sel.Fit = best
		sel.Steps = append(sel.Steps, Step{Term: t.termName(pairs[bestJ]), P: p, AIC: best.AIC})
	}
	for _, p := range pairs {
		if skipped[p] && !containsPair(terms, p) {
			sel.Skipped = append(sel.Skipped, t.termName(p))
		}
	}
	return sel, nil
}
