package mse

import "math"

// simplexEps is the pivot and optimality tolerance of maxMinEntry. The
// problems it solves have 0/1 constraint coefficients and a right-hand side
// scaled to at most 1.
const simplexEps = 1e-10

// maxMinEntry solves the linear program of Fienberg and Rinaldo (2012, p. 3),
// as SparseMSE's checkident sets it up:
//
//	maximise s subject to A'x = t, x_c >= s for every cell c, x >= 0,
//
// where A is the model matrix (cells by parameters) and t = A'y the
// sufficient statistics. The maximum likelihood estimate exists (is finite)
// exactly when some strictly positive table has the observed sufficient
// statistics, that is when the optimum s is positive. It returns the optimum
// divided by max(t), so that the caller's threshold does not depend on the
// size of the counts.
//
// Writing x = u + s·1 turns it into the standard form A'u + (A'1)s = t,
// u, s >= 0, solved by the two-phase tableau simplex method with Bland's rule,
// which cannot cycle on these highly degenerate problems.
func maxMinEntry(a *matrix, t []float64) float64 {
	cells, params := a.rows, a.cols
	scale := 0.0
	for _, v := range t {
		scale = math.Max(scale, v)
	}
	if scale == 0 {
		return 0
	}
	nv := cells + 1 // u_1..u_cells, s
	width := nv + params + 1
	tab := make([][]float64, params)
	basis := make([]int, params)
	for k := range params {
		row := make([]float64, width)
		sum := 0.0
		for c := range cells {
			row[c] = a.at(c, k)
			sum += row[c]
		}
		row[cells] = sum
		row[nv+k] = 1 // artificial variable of this constraint
		row[width-1] = t[k] / scale
		tab[k] = row
		basis[k] = nv + k
	}
	// Phase 1: minimise the sum of the artificial variables.
	cost := make([]float64, width)
	for k := range params {
		cost[nv+k] = 1
	}
	runSimplex(tab, basis, cost, nv+params)
	// Pivot artificial variables that remain basic (at level zero) out of
	// the basis; a row with no original column to pivot on is redundant.
	kept := tab[:0]
	keptBasis := basis[:0]
	for k, row := range tab {
		if basis[k] < nv {
			kept = append(kept, row)
			keptBasis = append(keptBasis, basis[k])
			continue
		}
		pivotCol := -1
		for j := range nv {
			if math.Abs(row[j]) > simplexEps {
				pivotCol = j
				break
			}
		}
		if pivotCol < 0 {
			continue
		}
		pivot(tab, k, pivotCol)
		basis[k] = pivotCol
		kept = append(kept, row)
		keptBasis = append(keptBasis, pivotCol)
	}
	tab, basis = kept, keptBasis
	// Phase 2: minimise -s over the original variables only.
	cost = make([]float64, width)
	cost[cells] = -1
	return -runSimplex(tab, basis, cost, nv)
}

// runSimplex minimises cost·x over the tableau, letting only columns below
// enterable enter the basis, and returns the optimum. The tableau and basis
// are updated in place.
func runSimplex(tab [][]float64, basis []int, cost []float64, enterable int) float64 {
	width := len(cost)
	rhs := width - 1
	reduced := make([]float64, width)
	computeReduced := func() {
		copy(reduced, cost)
		reduced[rhs] = 0
		for i, row := range tab {
			cb := cost[basis[i]]
			if cb == 0 {
				continue
			}
			for j := range width {
				reduced[j] -= cb * row[j]
			}
		}
	}
	computeReduced()
	for iter := 0; iter < 50000; iter++ {
		enter := -1
		for j := range enterable {
			if reduced[j] < -simplexEps {
				enter = j // Bland: the lowest index that improves
				break
			}
		}
		if enter < 0 {
			break
		}
		leave := -1
		best := math.Inf(1)
		for i, row := range tab {
			if row[enter] > simplexEps {
				ratio := row[rhs] / row[enter]
				if ratio < best-simplexEps || (math.Abs(ratio-best) <= simplexEps && basis[i] < basis[leave]) {
					best, leave = ratio, i
				}
			}
		}
		if leave < 0 {
			// Unbounded; cannot happen here since s <= t_intercept/cells.
			return math.Inf(-1)
		}
		pivot(tab, leave, enter)
		basis[leave] = enter
		// Update the reduced costs by the same elimination.
		f := reduced[enter]
		for j := range width {
			reduced[j] -= f * tab[leave][j]
		}
	}
	// -reduced[rhs] is cost·x at the current basis.
	return -reduced[rhs]
}

// pivot makes column c basic in row r.
func pivot(tab [][]float64, r, c int) {
	pr := tab[r]
	inv := 1 / pr[c]
	for j := range pr {
		pr[j] *= inv
	}
	pr[c] = 1
	for i, row := range tab {
		if i == r || row[c] == 0 {
			continue
		}
		f := row[c]
		for j := range row {
			row[j] -= f * pr[j]
		}
		row[c] = 0
	}
}
