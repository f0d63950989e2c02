package mse

import (
	"fmt"
	"slices"
)

// Pair is a two-list interaction term, lists I < J (0-based column indexes).
type Pair struct{ I, J int }

// allPairs returns every pair of k lists in SparseMSE's order: (1,2), (1,3),
// ..., (1,k), (2,3), ... (stepwisefit's "ints"). The order decides ties in
// the stepwise searches, so it is part of reproducing them.
func allPairs(k int) []Pair {
	var ps []Pair
	for i := 0; i < k-1; i++ {
		for j := i + 1; j < k; j++ {
			ps = append(ps, Pair{i, j})
		}
	}
	return ps
}

func (p Pair) mask() uint { return 1<<p.I | 1<<p.J }

// termName returns "A:B" for the pair's lists.
func (t *Table) termName(p Pair) string { return t.lists[p.I] + ":" + t.lists[p.J] }

// ParseTerm returns the pair named "A:B" (either order).
func (t *Table) ParseTerm(name string) (Pair, error) {
	for _, p := range allPairs(t.K()) {
		if name == t.termName(p) || name == t.lists[p.J]+":"+t.lists[p.I] {
			return p, nil
		}
	}
	return Pair{}, fmt.Errorf("term %q is not two of the lists joined by ':'", name)
}

// design is the Poisson regression behind one model: the cells (patterns)
// that enter the fit, their counts and the model matrix.
//
// A pair in the model whose lists share no case at all has its parameter at
// minus infinity in the (extended) maximum likelihood estimate, so every cell
// on both lists has expected count zero. Following SparseMSE (buildmodel;
// Chan, Silverman and Vincent 2019, section 2) such a pair gets no column and
// its cells are removed from the fit instead.
type design struct {
	cells []uint    // patterns fitted, increasing
	y     []float64 // their counts
	x     *matrix   // intercept, one column per list, one per estimable pair
	names []string  // column names: "(Intercept)", list names, "A:B"
	pairs []Pair    // estimable pairs in column order
	empty []Pair    // pairs in the model with an empty overlap
}

func buildDesign(t *Table, terms []Pair) *design {
	k := t.K()
	d := &design{names: append([]string{"(Intercept)"}, t.lists...)}
	var removedMasks []uint
	for _, p := range terms {
		if t.Overlap(p.I, p.J) == 0 {
			d.empty = append(d.empty, p)
			removedMasks = append(removedMasks, p.mask())
			continue
		}
		d.pairs = append(d.pairs, p)
		d.names = append(d.names, t.termName(p))
	}
	for c := uint(1); c < 1<<k; c++ {
		if slices.ContainsFunc(removedMasks, func(m uint) bool { return c&m == m }) {
			continue
		}
		d.cells = append(d.cells, c)
		d.y = append(d.y, float64(t.counts[c]))
	}
	d.x = modelMatrix(d.cells, k, d.pairs)
	return d
}

// modelMatrix returns the 0/1 model matrix of the given cells: intercept,
// main effects, then the pairs.
func modelMatrix(cells []uint, k int, pairs []Pair) *matrix {
	x := newMatrix(len(cells), 1+k+len(pairs))
	for r, c := range cells {
		x.set(r, 0, 1)
		for i := range k {
			if c&(1<<i) != 0 {
				x.set(r, 1+i, 1)
			}
		}
		for j, p := range pairs {
			if c&p.mask() == p.mask() {
				x.set(r, 1+k+j, 1)
			}
		}
	}
	return x
}

// sufficientStats returns X'y: the totals the fitted model must reproduce.
func (d *design) sufficientStats() []float64 {
	t := make([]float64, d.x.cols)
	for r := range d.cells {
		for j := range d.x.cols {
			t[j] += d.x.at(r, j) * d.y[r]
		}
	}
	return t
}
