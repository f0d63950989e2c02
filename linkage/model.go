package linkage

import (
	"math"
	"slices"
)

// Model holds the Fellegi-Sunter parameters of a linkage.
type Model struct {
	// Lambda is the prior probability that two records picked at random
	// are a match.
	Lambda float64
	// Fields holds each field's levels, in configuration order.
	Fields []FieldModel
	// EMIterations is how many EM iterations ran (0 when trained from
	// labels only) and Converged whether they reached a fixed point.
	EMIterations int
	Converged    bool
}

// FieldModel holds one field's m and u per agreement level.
type FieldModel struct {
	Name   string
	Levels []LevelModel
}

// LevelModel is one agreement level: m = P(level | match), u = P(level |
// non-match), and the weight log2(m/u) it adds to a pair's match weight.
type LevelModel struct {
	Label  string
	M, U   float64
	Weight float64
}

// probFloor keeps estimated probabilities off 0, whose logarithm would make
// one field's level an absolute veto or proof.
const probFloor = 1e-6

// patternCount is a distinct agreement pattern and how many pairs have it.
type patternCount struct {
	pattern uint64
	count   float64
}

// emParams are the parameters EM estimates on the candidate pairs: the
// match share lambda among them and m and u per field and level.
type emParams struct {
	lambda float64
	m, u   [][]float64
}

// initialM is the starting m of a comparator's levels: most matches agree
// exactly, fewer at each weaker level.
func initialM(levels int) []float64 {
	m := make([]float64, levels)
	rest := 0.1
	m[0] = 0.9
	for i := 1; i < levels; i++ {
		rest /= 2
		m[i] = rest
	}
	m[levels-1] += rest
	return normalise(m)
}

func normalise(p []float64) []float64 {
	sum := 0.0
	for i := range p {
		p[i] = math.Max(p[i], probFloor)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// runEM estimates the match share and m and u on the candidate pairs'
// agreement patterns by expectation-maximisation for a two-class mixture
// with fields independent given the class (Winkler 1988; Jaro 1989). Missing
// fields (nullLevel) are left out of both steps. It returns the parameters,
// the iterations run and whether the largest change fell under tol. With
// fixM, m stays as given (it came from labels) and only the match share and
// u are estimated.
func runEM(patterns []patternCount, p emParams, maxIter int, fixM bool) (emParams, int, bool) {
	const tol = 1e-6
	nf := len(p.m)
	mAcc := make([][]float64, nf)
	uAcc := make([][]float64, nf)
	for f := range nf {
		mAcc[f] = make([]float64, len(p.m[f]))
		uAcc[f] = make([]float64, len(p.u[f]))
	}
	for iter := 1; iter <= maxIter; iter++ {
		for f := range nf {
			clear(mAcc[f])
			clear(uAcc[f])
		}
		matchSum, total := 0.0, 0.0
		for _, pc := range patterns {
			lm, lu := math.Log(p.lambda), math.Log(1-p.lambda)
			for f := range nf {
				lv := levelOf(pc.pattern, f)
				if lv == nullLevel {
					continue
				}
				lm += math.Log(p.m[f][lv])
				lu += math.Log(p.u[f][lv])
			}
			post := 1 / (1 + math.Exp(lu-lm))
			matchSum += pc.count * post
			total += pc.count
			for f := range nf {
				lv := levelOf(pc.pattern, f)
				if lv == nullLevel {
					continue
				}
				mAcc[f][lv] += pc.count * post
				uAcc[f][lv] += pc.count * (1 - post)
			}
		}
		next := emParams{lambda: math.Min(math.Max(matchSum/total, probFloor), 1-probFloor)}
		change := math.Abs(next.lambda - p.lambda)
		for f := range nf {
			if fixM {
				next.m = append(next.m, p.m[f])
			} else {
				next.m = append(next.m, normalise(slices.Clone(mAcc[f])))
			}
			next.u = append(next.u, normalise(slices.Clone(uAcc[f])))
			for l := range next.m[f] {
				change = math.Max(change, math.Abs(next.m[f][l]-p.m[f][l]))
				change = math.Max(change, math.Abs(next.u[f][l]-p.u[f][l]))
			}
		}
		p = next
		if change < tol {
			return p, iter, true
		}
	}
	return p, maxIter, false
}

// mFromLabels estimates m as the share of each level among labelled true
// matches' patterns, with one pseudo-count per level so that a level no
// labelled pair shows keeps a small probability.
func mFromLabels(patterns []uint64, levels []int) [][]float64 {
	m := make([][]float64, len(levels))
	for f, n := range levels {
		m[f] = make([]float64, n)
		for l := range m[f] {
			m[f][l] = 1
		}
	}
	for _, p := range patterns {
		for f := range levels {
			if lv := levelOf(p, f); lv != nullLevel {
				m[f][lv]++
			}
		}
	}
	for f := range m {
		normalise(m[f])
	}
	return m
}
