package mse

import (
	"errors"
	"math"
)

// errSingular reports a design whose columns are linearly dependent once
// weighted: the model is not identifiable from these cells.
var errSingular = errors.New("design matrix is rank deficient")

// matrix is a dense row-major matrix.
type matrix struct {
	rows, cols int
	data       []float64
}

func newMatrix(rows, cols int) *matrix {
	return &matrix{rows: rows, cols: cols, data: make([]float64, rows*cols)}
}

func (m *matrix) at(i, j int) float64     { return m.data[i*m.cols+j] }
func (m *matrix) set(i, j int, v float64) { m.data[i*m.cols+j] = v }

// weightedLeastSquares solves min sum_i w_i (z_i - x_i.b)^2 by Householder QR
// of diag(sqrt w) X, the way R's glm.fit does (through LINPACK dqrls), rather
// than by the normal equations, whose condition number is the square of the
// design's. It returns b and the unscaled covariance (X'WX)^-1.
func weightedLeastSquares(x *matrix, w, z []float64) (beta []float64, cov *matrix, err error) {
	n, p := x.rows, x.cols
	// Column-major working copy of sqrt(W) X, so that each Householder
	// reflection walks contiguous memory.
	a := make([]float64, n*p)
	y := make([]float64, n)
	for i := range n {
		sw := math.Sqrt(w[i])
		for j := range p {
			a[j*n+i] = sw * x.at(i, j)
		}
		y[i] = sw * z[i]
	}
	r := newMatrix(p, p)
	for k := range p {
		col := a[k*n : (k+1)*n]
		orig := 0.0
		for i := range n {
			orig = math.Hypot(orig, col[i])
		}
		norm := 0.0
		for i := k; i < n; i++ {
			norm = math.Hypot(norm, col[i])
		}
		// A column left with (almost) nothing once the earlier columns are
		// projected out: same tolerance as R's qr (1e-7, dqrdc2), relative
		// to the column's own length.
		if orig == 0 || norm <= 1e-7*orig {
			return nil, nil, errSingular
		}
		alpha := -math.Copysign(norm, col[k])
		col[k] -= alpha
		vnorm2 := 0.0
		for i := k; i < n; i++ {
			vnorm2 += col[i] * col[i]
		}
		reflect := func(v []float64) {
			dot := 0.0
			for i := k; i < n; i++ {
				dot += col[i] * v[i]
			}
			f := 2 * dot / vnorm2
			for i := k; i < n; i++ {
				v[i] -= f * col[i]
			}
		}
		for j := k + 1; j < p; j++ {
			reflect(a[j*n : (j+1)*n])
		}
		reflect(y)
		r.set(k, k, alpha)
		for j := k + 1; j < p; j++ {
			r.set(k, j, a[j*n+k])
		}
	}
	beta = make([]float64, p)
	for k := p - 1; k >= 0; k-- {
		s := y[k]
		for j := k + 1; j < p; j++ {
			s -= r.at(k, j) * beta[j]
		}
		beta[k] = s / r.at(k, k)
	}
	// (X'WX)^-1 = R^-1 R^-T.
	rinv := newMatrix(p, p)
	for k := p - 1; k >= 0; k-- {
		rinv.set(k, k, 1/r.at(k, k))
		for j := k + 1; j < p; j++ {
			s := 0.0
			for l := k + 1; l <= j; l++ {
				s += r.at(k, l) * rinv.at(l, j)
			}
			rinv.set(k, j, -s/r.at(k, k))
		}
	}
	cov = newMatrix(p, p)
	for i := range p {
		for j := i; j < p; j++ {
			s := 0.0
			for l := j; l < p; l++ {
				s += rinv.at(i, l) * rinv.at(j, l)
			}
			cov.set(i, j, s)
			cov.set(j, i, s)
		}
	}
	return beta, cov, nil
}

// columnRank returns the rank of x as R's qr() (LINPACK dqrdc2) counts it:
// columns are taken in order, and one whose component orthogonal to the
// columns already accepted is shorter than 1e-7 times its own length is
// counted as dependent. SparseMSE's identifiability test is this rank on the
// unweighted model matrix (buildmodelmatrix, checkident).
func columnRank(x *matrix) int {
	n, p := x.rows, x.cols
	var basis [][]float64
	for j := range p {
		v := make([]float64, n)
		norm0 := 0.0
		for i := range n {
			v[i] = x.at(i, j)
			norm0 = math.Hypot(norm0, v[i])
		}
		if norm0 == 0 {
			continue
		}
		// Modified Gram-Schmidt, twice, so that the residual of a dependent
		// column is at rounding level rather than at the level of the
		// cancellation error of one pass.
		for range 2 {
			for _, q := range basis {
				d := 0.0
				for i := range n {
					d += q[i] * v[i]
				}
				for i := range n {
					v[i] -= d * q[i]
				}
			}
		}
		norm := 0.0
		for i := range n {
			norm = math.Hypot(norm, v[i])
		}
		if norm <= 1e-7*norm0 {
			continue
		}
		for i := range n {
			v[i] /= norm
		}
		basis = append(basis, v)
	}
	return len(basis)
}
