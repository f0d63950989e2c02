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

// emGroup is the agreement patterns of the pairs one blocking rule
// generated. The non-matches of a rule are not random pairs: those of a
// rule on the postcode all share the postcode, and mostly the town. Each
// group therefore has its own match share and u, and leaves out the fields
// its rule blocks on (they agree by construction), while m, which
// describes true matches wherever they are found, is shared (the
// per-blocking-rule training of Splink, done jointly).
type emGroup struct {
	rule     int
	patterns []patternCount
	use      []bool // per field: false for the fields the rule blocks on
}

// emParams are the parameters EM estimates: m per field and level, shared;
// per group the match share lambda and u.
type emParams struct {
	m      [][]float64
	lambda []float64
	u      [][][]float64 // [group][field][level]
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

// runEM estimates m and each group's match share and u by
// expectation-maximisation for a two-class mixture with fields independent
// given the class (Winkler 1988; Jaro 1989). Missing fields (nullLevel) and
// the fields a group blocks on are left out of both steps. It returns the
// parameters, the iterations run and whether the largest change fell under
// tol. With fixM, m stays as given (it came from labels).
func runEM(groups []emGroup, p emParams, maxIter int, fixM bool) (emParams, int, bool) {
	const tol = 1e-6
	nf := len(p.m)
	mAcc := make([][]float64, nf)
	for f := range nf {
		mAcc[f] = make([]float64, len(p.m[f]))
	}
	uAcc := make([][][]float64, len(groups))
	for g := range groups {
		uAcc[g] = make([][]float64, nf)
		for f := range nf {
			uAcc[g][f] = make([]float64, len(p.m[f]))
		}
	}
	logM := make([][]float64, nf)
	logU := make([][]float64, nf)
	for iter := 1; iter <= maxIter; iter++ {
		for f := range nf {
			clear(mAcc[f])
			logM[f] = logs(logM[f], p.m[f])
		}
		next := emParams{lambda: make([]float64, len(groups)), u: make([][][]float64, len(groups))}
		change := 0.0
		for g, grp := range groups {
			for f := range nf {
				clear(uAcc[g][f])
				logU[f] = logs(logU[f], p.u[g][f])
			}
			matchSum, total := 0.0, 0.0
			for _, pc := range grp.patterns {
				lm, lu := math.Log(p.lambda[g]), math.Log(1-p.lambda[g])
				for f := range nf {
					if lv := levelOf(pc.pattern, f); lv != nullLevel && grp.use[f] {
						lm += logM[f][lv]
						lu += logU[f][lv]
					}
				}
				post := 1 / (1 + math.Exp(lu-lm))
				matchSum += pc.count * post
				total += pc.count
				for f := range nf {
					if lv := levelOf(pc.pattern, f); lv != nullLevel && grp.use[f] {
						mAcc[f][lv] += pc.count * post
						uAcc[g][f][lv] += pc.count * (1 - post)
					}
				}
			}
			next.lambda[g] = p.lambda[g]
			if total > 0 {
				next.lambda[g] = math.Min(math.Max(matchSum/total, probFloor), 1-probFloor)
			}
			change = math.Max(change, math.Abs(next.lambda[g]-p.lambda[g]))
			next.u[g] = make([][]float64, nf)
			for f := range nf {
				if sum(uAcc[g][f]) == 0 {
					next.u[g][f] = p.u[g][f]
					continue
				}
				next.u[g][f] = normalise(slices.Clone(uAcc[g][f]))
				for l := range next.u[g][f] {
					change = math.Max(change, math.Abs(next.u[g][f][l]-p.u[g][f][l]))
				}
			}
		}
		for f := range nf {
			if fixM || sum(mAcc[f]) == 0 { // no group informs this field
				next.m = append(next.m, p.m[f])
				continue
			}
			next.m = append(next.m, normalise(slices.Clone(mAcc[f])))
			for l := range next.m[f] {
				change = math.Max(change, math.Abs(next.m[f][l]-p.m[f][l]))
			}
		}
		p = next
		if change < tol {
			return p, iter, true
		}
	}
	return p, maxIter, false
}

func logs(dst, p []float64) []float64 {
	dst = dst[:0]
	for _, x := range p {
		dst = append(dst, math.Log(x))
	}
	return dst
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
