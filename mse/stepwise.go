package mse

import (
	"context"
	"fmt"
)

// DefaultPThreshold is SparseMSE's default threshold p-value for adding a
// term (stepwisefit, estimatepopulation: pthresh = 0.02).
const DefaultPThreshold = 0.02

// Step records one term added by a stepwise search.
type Step struct {
	Term string
	// P is the p-value that admitted the term: SparseMSE's Poisson
	// p-value for Stepwise, the Wald p-value for StepwiseAIC.
	P float64
	// AIC of the model after the step (StepwiseAIC only; 0 otherwise).
	AIC float64
}

// Selection is the model a search chose, with its history.
type Selection struct {
	Fit   *Fit
	Steps []Step
	// Skipped names candidate terms left out because adding them would
	// give a model with no finite or no identifiable estimate.
	Skipped []string
}

// Stepwise chooses a model by SparseMSE's stepwise procedure (stepwisefit;
// Chan, Silverman and Vincent 2019, section 3.1). Starting from main effects,
// for each two-list term not yet in the model it takes the total number of
// cases on both lists, whose null distribution given the current fit is
// Poisson with mean the fitted total of those cells, and computes the
// one-sided Poisson p-value; terms whose addition fails CheckModel get p = 1.
// The term with the smallest p-value (the first in list order on a tie) is
// added while that p-value is below pthresh.
//
// pthresh = 0 returns main effects only; pthresh = 1 returns the model with
// every pair when it passes CheckModel, as stepwisefit does.
func Stepwise(ctx context.Context, t *Table, pthresh float64) (*Selection, error) {
	if pthresh < 0 || pthresh > 1 {
		return nil, fmt.Errorf("p-value threshold %g outside [0, 1]", pthresh)
	}
	main, err := FitModel(t, nil)
	if err != nil {
		return nil, err
	}
	sel := &Selection{Fit: main}
	pairs := allPairs(t.K())
	if pthresh == 1 && CheckModel(t, pairs).OK() {
		full, err := fitUnchecked(t, pairs)
		if err != nil {
			return nil, err
		}
		for _, p := range pairs {
			sel.Steps = append(sel.Steps, Step{Term: t.termName(p), P: 1})
		}
		sel.Fit = full
		return sel, nil
	}
	if pthresh == 0 {
		return sel, nil
	}
	nstar := make([]float64, len(pairs))
	for j, p := range pairs {
		nstar[j] = float64(t.Overlap(p.I, p.J))
	}
	included := make([]bool, len(pairs))
	var terms []Pair
	skipped := map[string]bool{}
	for range pairs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		best, bestP := -1, 1.0
		for j, p := range pairs {
			if included[j] {
				continue
			}
			pv := poissonTailP(nstar[j], sel.Fit.expectedOnBoth(p))
			if pv >= bestP && best >= 0 {
				// Cannot win: skip the linear program. R computes every
				// candidate's check, but a candidate that does not beat
				// the current best cannot change the choice either way.
				continue
			}
			if !CheckModel(t, append(terms[:len(terms):len(terms)], p)).OK() {
				if pv < pthresh {
					skipped[t.termName(p)] = true
				}
				continue
			}
			if pv < bestP {
				best, bestP = j, pv
			}
		}
		if best < 0 || bestP >= pthresh {
			break
		}
		terms = append(terms, pairs[best])
		f, err := fitUnchecked(t, terms)
		if err != nil {
			return nil, err
		}
		sel.Fit = f
		sel.Steps = append(sel.Steps, Step{Term: t.termName(pairs[best]), P: bestP})
		included[best] = true
	}
	for _, p := range pairs {
		if skipped[t.termName(p)] && !containsPair(terms, p) {
			sel.Skipped = append(sel.Skipped, t.termName(p))
		}
	}
	return sel, nil
}

func containsPair(ps []Pair, p Pair) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}
