package linkage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// Progress is called with a description of the stage under way and how far
// it is (done of total units), so that a long run can report on it. It is
// called from one goroutine at a time.
type Progress func(stage string, done, total int64)

// Match is a candidate pair at or above the threshold: record A of the left
// side and record B of the right side (or of the left side too, A < B, when
// deduplicating).
type Match struct {
	A, B        int
	Weight      float64 // match weight: log2 of the posterior odds
	Probability float64
	pattern     uint64
}

// Result is the outcome of Dedupe or Link.
type Result struct {
	// Rules reports each blocking rule's pairs before comparison.
	Rules []RuleStats
	// Candidates is the number of distinct pairs compared.
	Candidates int
	// Model is the fitted Fellegi-Sunter model.
	Model Model
	// Matches are the pairs at or above the threshold, by A then B.
	Matches []Match
	// Clusters gives each record's entity, numbered from 1 in record order
	// (left records first); Clusters[Right] is empty when deduplicating.
	Clusters [2][]int

	link   bool
	l      *Linker
	tfAdj  [][]float64 // [field][value id] weight at exact agreement, when TF is on
	weight [][]float64 // [field][level]
}

// SetLabels gives known true matches (left index, right index; both left
// when deduplicating). m is then estimated from them instead of by EM.
func (l *Linker) SetLabels(matches [][2]int) error {
	for _, p := range matches {
		if p[0] < 0 || p[1] < 0 {
			return fmt.Errorf("linkage: negative record index in label %v", p)
		}
	}
	l.labels = slices.Clone(matches)
	return nil
}

// Dedupe finds the records of the left side that describe the same entity.
func (l *Linker) Dedupe(ctx context.Context, progress Progress) (*Result, error) {
	return l.run(ctx, false, progress)
}

// Link finds the pairs of a left and a right record that describe the same
// entity.
func (l *Linker) Link(ctx context.Context, progress Progress) (*Result, error) {
	return l.run(ctx, true, progress)
}

func (l *Linker) run(ctx context.Context, link bool, progress Progress) (*Result, error) {
	if !l.sides[Left].header || (link && !l.sides[Right].header) {
		return nil, errors.New("linkage: header not set")
	}
	if progress == nil {
		progress = func(string, int64, int64) {}
	}
	nl, nr := l.Len(Left), l.Len(Left)
	if link {
		nr = l.Len(Right)
	}
	for _, p := range l.labels {
		if p[0] >= nl || p[1] >= nr {
			return nil, fmt.Errorf("linkage: label %v refers to no record", p)
		}
	}
	res := &Result{link: link, l: l}
	blk, pairs, starts, rules, err := l.candidates(ctx, link, progress)
	if err != nil {
		return nil, err
	}
	res.Rules, res.Candidates = rules, len(pairs)

	u, err := l.estimateU(ctx, link, progress)
	if err != nil {
		return nil, err
	}
	ids := make([]uint32, len(pairs))
	table, _, err := l.comparePairs(ctx, pairs, ids, link, progress, "comparing candidate pairs")
	if err != nil {
		return nil, err
	}

	levels := make([]int, len(l.fields))
	for f, fd := range l.fields {
		levels[f] = len(comparators[fd.spec.Comparator].levels)
	}
	var m0 [][]float64
	fixM := len(l.labels) > 0
	if fixM {
		lp := make([]uint64, 0, len(l.labels))
		var s scratch
		rs := Left
		if link {
			rs = Right
		}
		for _, p := range l.labels {
			lp = append(lp, l.pattern(&s, Left, p[0], rs, p[1]))
		}
		m0 = mFromLabels(lp, levels)
	} else {
		for _, n := range levels {
			m0 = append(m0, initialM(n))
		}
	}
	groups, start := l.emGroups(blk, pairs, table, ids, m0, u)
	est := start
	iters, converged := 0, true
	if len(groups) > 0 {
		est, iters, converged = runEM(groups, start, l.cfg.EMIterations, fixM)
	}
	progress(fmt.Sprintf("EM: %d iterations over %d groups of agreement patterns", iters, len(groups)), int64(iters), int64(l.cfg.EMIterations))
	expected := expectedMatches(groups, est, ids, starts, table)

	total := float64(nl) * float64(nr)
	if !link {
		total = float64(nl) * float64(nl-1) / 2
	}
	lambda := probFloor
	if total > 0 {
		lambda = math.Min(math.Max(expected/total, 1e-12), 1-probFloor)
	}
	res.Model = Model{Lambda: lambda, EMIterations: iters, Converged: converged}
	res.weight = make([][]float64, len(l.fields))
	res.tfAdj = make([][]float64, len(l.fields))
	for f, fd := range l.fields {
		fm := FieldModel{Name: fd.spec.Name}
		res.weight[f] = make([]float64, levels[f])
		for lv, label := range comparators[fd.spec.Comparator].levels {
			w := math.Log2(est.m[f][lv] / u[f][lv])
			res.weight[f][lv] = w
			fm.Levels = append(fm.Levels, LevelModel{Label: label, M: est.m[f][lv], U: u[f][lv], Weight: w})
		}
		res.Model.Fields = append(res.Model.Fields, fm)
		if fd.spec.TermFrequency {
			res.tfAdj[f] = l.termFrequencyWeights(f, link, est.m[f][0])
		}
	}

	prior := math.Log2(lambda / (1 - lambda))
	for i, p := range pairs {
		a, b := int(p>>32), int(uint32(p))
		p := table[ids[i]]
		w := prior + res.patternWeight(p, a, b)
		prob := 1 / (1 + math.Exp2(-w))
		if prob >= l.cfg.Threshold {
			res.Matches = append(res.Matches, Match{A: a, B: b, Weight: w, Probability: prob, pattern: p})
		}
	}
	slices.SortFunc(res.Matches, func(x, y Match) int {
		if x.A != y.A {
			return x.A - y.A
		}
		return x.B - y.B
	})
	if link && l.cfg.OneToOne {
		res.Matches = oneToOne(res.Matches)
	}
	res.Clusters = clusters(res.Matches, nl, nr, link)
	progress(fmt.Sprintf("scored %d candidate pairs: %d at or above %g", len(pairs), len(res.Matches), l.cfg.Threshold), int64(len(pairs)), int64(len(pairs)))
	return res, nil
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// patternWeight sums the field weights of a pair's pattern, with the
// term-frequency weight in place of the plain one for exact agreements on
// fields that have it.
func (r *Result) patternWeight(p uint64, a, b int) float64 {
	w := 0.0
	for f := range r.weight {
		w += r.fieldWeight(p, f, a)
	}
	return w
}

func (r *Result) fieldWeight(p uint64, f, a int) float64 {
	lv := levelOf(p, f)
	if lv == nullLevel {
		return 0
	}
	if lv == 0 && r.tfAdj[f] != nil {
		return r.tfAdj[f][r.l.sides[Left].vals[f][a]]
	}
	return r.weight[f][lv]
}

// Contributions returns the weight each field adds to a match (in
// configuration order): log2(m/u) of its agreement level, adjusted by term
// frequency, or 0 when the field is missing on either side. With the prior
// log-odds they sum to the match weight.
func (r *Result) Contributions(m Match) []float64 {
	out := make([]float64, len(r.weight))
	for f := range r.weight {
		out[f] = r.fieldWeight(m.pattern, f, m.A)
	}
	return out
}

// Levels returns the label of each field's agreement level in a match,
// "missing" for a field missing on either side.
func (r *Result) Levels(m Match) []string {
	out := make([]string, len(r.weight))
	for f, fd := range r.l.fields {
		lv := levelOf(m.pattern, f)
		if lv == nullLevel {
			out[f] = "missing"
			continue
		}
		out[f] = comparators[fd.spec.Comparator].levels[lv]
	}
	return out
}

// emGroups sorts the candidates' agreement patterns by the blocking rules
// that generate them, one EM group per rule with pairs (see emGroup); a
// pair that several rules generate is in each of their groups, so that a
// group is all the pairs of its rule, as if it were the only rule, and not
// only those earlier rules missed (which would bias m of their fields). It
// also sets up EM's starting point: m0, each group's u from the random
// pairs and a match share of 0.1. Patterns are sorted so that EM's
// floating-point sums, and so the result, do not depend on the order in
// which goroutines met them.
func (l *Linker) emGroups(blk *blocker, pairs []uint64, table []uint64, ids []uint32, m0 [][]float64, u [][]float64) ([]emGroup, emParams) {
	uses := l.ruleFields()
	start := emParams{m: m0}
	counts := make([][]float64, len(uses))
	for r := range uses {
		counts[r] = make([]float64, len(table))
	}
	for i, p := range pairs {
		for r := range uses {
			if blk.inRule(r, p) {
				counts[r][ids[i]]++
			}
		}
	}
	var groups []emGroup
	for r := range uses {
		grp := emGroup{rule: r}
		for id, c := range counts[r] {
			if c > 0 {
				grp.patterns = append(grp.patterns, patternCount{table[id], c})
			}
		}
		if len(grp.patterns) == 0 {
			continue
		}
		slices.SortFunc(grp.patterns, func(a, b patternCount) int { return cmpUint64(a.pattern, b.pattern) })
		grp.use = make([]bool, len(uses[r]))
		for f, blocked := range uses[r] {
			grp.use[f] = !blocked
		}
		groups = append(groups, grp)
		gu := make([][]float64, len(u))
		for f := range u {
			gu[f] = slices.Clone(u[f])
		}
		start.u = append(start.u, gu)
		start.lambda = append(start.lambda, 0.1)
	}
	return groups, start
}

// expectedMatches estimates how many candidate pairs are matches: the sum
// of their posterior match probabilities in the EM group of the first rule
// that generated them.
func expectedMatches(groups []emGroup, est emParams, ids []uint32, starts []int, table []uint64) float64 {
	expected := 0.0
	counts := make([]float64, len(table))
	for g, grp := range groups {
		clear(counts)
		for _, id := range ids[starts[grp.rule]:starts[grp.rule+1]] {
			counts[id]++
		}
		for id, c := range counts {
			if c == 0 {
				continue
			}
			lm, lu := math.Log(est.lambda[g]), math.Log(1-est.lambda[g])
			for f := range est.m {
				if lv := levelOf(table[id], f); lv != nullLevel && grp.use[f] {
					lm += math.Log(est.m[f][lv])
					lu += math.Log(est.u[g][f][lv])
				}
			}
			expected += c / (1 + math.Exp(lu-lm))
		}
	}
	return expected
}

// termFrequencyWeights returns, per value of field f, the weight of two
// records agreeing exactly on it: log2(m/p) where p is the value's share of
// the records, the chance that a random other record holds it too (the
// term-frequency adjustment of Splink; Winkler 1989, "Frequency-based
// matching in the Fellegi-Sunter model").
func (l *Linker) termFrequencyWeights(f int, link bool, m0 float64) []float64 {
	fd := l.fields[f]
	total := 0
	for _, v := range fd.values[1:] {
		total += v.count[Left]
		if link {
			total += v.count[Right]
		}
	}
	w := make([]float64, len(fd.values))
	for id := 1; id < len(fd.values); id++ {
		c := fd.values[id].count[Left]
		if link {
			c += fd.values[id].count[Right]
		}
		share := math.Max(float64(c)/float64(max(total, 1)), probFloor)
		w[id] = math.Log2(m0 / share)
	}
	return w
}

// comparePairs computes the agreement pattern of every pair, on all cores.
// It returns the distinct patterns and how many pairs have each, and sets
// ids[i] to the index of pair i's pattern there (4 bytes a pair rather than
// the 8 of a pattern: a million-record run compares ~10^8 pairs).
func (l *Linker) comparePairs(ctx context.Context, pairs []uint64, ids []uint32, link bool, progress Progress, stage string) (table []uint64, counts []int, err error) {
	const chunk = 1 << 16
	rs := Left
	if link {
		rs = Right
	}
	var next, done atomic.Int64
	var mu sync.Mutex
	index := map[uint64]uint32{}
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s scratch
			buf := make([]uint64, chunk)
			for ctx.Err() == nil {
				start := int(next.Add(chunk) - chunk)
				if start >= len(pairs) {
					break
				}
				end := min(start+chunk, len(pairs))
				for i := start; i < end; i++ {
					buf[i-start] = l.pattern(&s, Left, int(pairs[i]>>32), rs, int(uint32(pairs[i])))
				}
				mu.Lock()
				for i := start; i < end; i++ {
					p := buf[i-start]
					id, ok := index[p]
					if !ok {
						id = uint32(len(table))
						index[p] = id
						table = append(table, p)
						counts = append(counts, 0)
					}
					counts[id]++
					if ids != nil {
						ids[i] = id
					}
				}
				d := done.Add(int64(end - start))
				if d%(16*chunk) < chunk || end == len(pairs) {
					progress(stage, d, int64(len(pairs)))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return table, counts, nil
}

// estimateU estimates u, each level's probability among non-matches, from
// random pairs (all pairs when there are at most MaxPairsU), which are
// almost all non-matches. The exact level's u is computed instead from the
// value frequencies (the chance two random records share a value), which is
// exact and precise even for rare agreements such as a birth date.
func (l *Linker) estimateU(ctx context.Context, link bool, progress Progress) ([][]float64, error) {
	nl := l.Len(Left)
	nr := nl
	if link {
		nr = l.Len(Right)
	}
	total := int64(nl) * int64(nr)
	if !link {
		total = int64(nl) * int64(nl-1) / 2
	}
	var sample []uint64
	switch {
	case total <= 0:
	case total <= int64(l.cfg.MaxPairsU):
		sample = make([]uint64, 0, total)
		for a := range nl {
			from := 0
			if !link {
				from = a + 1
			}
			for b := from; b < nr; b++ {
				sample = append(sample, uint64(a)<<32|uint64(b))
			}
		}
	default:
		rng := rand.New(rand.NewPCG(uint64(l.cfg.Seed), 0x9e3779b97f4a7c15))
		sample = make([]uint64, l.cfg.MaxPairsU)
		for i := range sample {
			a := rng.IntN(nl)
			b := rng.IntN(nr)
			if !link {
				b = rng.IntN(nl - 1)
				if b >= a {
					b++
				}
			}
			sample[i] = uint64(a)<<32 | uint64(b)
		}
	}
	table, counts, err := l.comparePairs(ctx, sample, nil, link, progress, "comparing random pairs for u")
	if err != nil {
		return nil, err
	}
	u := make([][]float64, len(l.fields))
	for f, fd := range l.fields {
		n := len(comparators[fd.spec.Comparator].levels)
		tally := make([]float64, n)
		for id, p := range table {
			if lv := levelOf(p, f); lv != nullLevel {
				tally[lv] += float64(counts[id])
			}
		}
		exact := l.exactU(f, link)
		if exact < 0 { // too few values: use the sample for level 0 too
			exact = (tally[0] + 1) / (sum(tally) + float64(n))
		}
		exact = math.Min(math.Max(exact, probFloor), 1-probFloor)
		rest := 0.0
		for lv := 1; lv < n; lv++ {
			tally[lv]++ // one pseudo-count: no level is impossible
			rest += tally[lv]
		}
		u[f] = make([]float64, n)
		u[f][0] = exact
		for lv := 1; lv < n; lv++ {
			u[f][lv] = (1 - exact) * tally[lv] / rest
		}
		normalise(u[f])
	}
	return u, nil
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// exactU returns the probability that two random records (one per side
// when linking) hold the same value of field f, given both hold one; -1
// when fewer than two records hold a value.
func (l *Linker) exactU(f int, link bool) float64 {
	var agree, nl, nr float64
	for _, v := range l.fields[f].values[1:] {
		cl := float64(v.count[Left])
		nl += cl
		if link {
			cr := float64(v.count[Right])
			nr += cr
			agree += cl * cr
		} else {
			agree += cl * (cl - 1)
		}
	}
	if link {
		if nl < 1 || nr < 1 {
			return -1
		}
		return agree / (nl * nr)
	}
	if nl < 2 {
		return -1
	}
	return agree / (nl * (nl - 1))
}
