package mse

import (
	"errors"
	"fmt"
	"math"
)

// Convergence of the Poisson fit.
const (
	// rGLMTolerance is R's glm.control(epsilon = 1e-8). The fits whose
	// estimates are reported stop where R's glm.fit stops, from R's
	// starting values, so that they are R's iterates, and their covariance
	// is that of the last weighted least squares step, as summary.glm
	// reports it. On the reference tables this moves the limits by under a
	// tenth of a case compared with iterating to convergence.
	rGLMTolerance = 1e-8
	// tightTolerance is used where no R iterate is being reproduced (the
	// profile likelihood, which only needs the deviance).
	tightTolerance = 1e-12
	glmMaxIter     = 100
	// etaLimit keeps exp(eta) finite; a fit that needs more is diverging,
	// which the existence check is there to prevent.
	etaLimit = 700
)

// errNoConvergence reports a Poisson fit that did not settle.
var errNoConvergence = errors.New("Poisson fit did not converge")

// poissonFit is a fitted Poisson log-linear regression.
type poissonFit struct {
	beta       []float64
	cov        *matrix // (X'WX)^-1 at the estimate: the covariance, dispersion 1
	mu         []float64
	deviance   float64
	iterations int
}

// fitPoisson fits log E[y] = X b by iteratively reweighted least squares
// (Fisher scoring, canonical log link), the algorithm of R's glm.fit: each
// step solves the weighted least squares problem by QR, and the fit stops
// when the relative change in deviance is below tol. start, when not nil,
// gives starting fitted values (a warm start); otherwise y + 0.1 is used, as
// R's poisson() family does. The covariance is that of the last weighted
// least squares step, as summary.glm reports it.
func fitPoisson(x *matrix, y, start []float64, tol float64) (*poissonFit, error) {
	n := x.rows
	mu := make([]float64, n)
	eta := make([]float64, n)
	for i := range n {
		m := y[i] + 0.1
		if start != nil && start[i] > 0 {
			m = start[i]
		}
		mu[i] = m
		eta[i] = math.Log(m)
	}
	w := make([]float64, n)
	z := make([]float64, n)
	devOld := poissonDeviance(y, mu)
	var beta []float64
	var cov *matrix
	for iter := 1; iter <= glmMaxIter; iter++ {
		for i := range n {
			w[i] = mu[i]
			z[i] = eta[i] + (y[i]-mu[i])/mu[i]
		}
		b, c, err := weightedLeastSquares(x, w, z)
		if err != nil {
			return nil, err
		}
		newEta := make([]float64, n)
		newMu := make([]float64, n)
		dev := math.Inf(1)
		// Step halving when the fitted values overflow, as glm.fit does
		// when the deviance is not finite.
		for half := 0; half < 30; half++ {
			ok := true
			for i := range n {
				e := 0.0
				for j := range x.cols {
					e += x.at(i, j) * b[j]
				}
				if math.Abs(e) > etaLimit || math.IsNaN(e) {
					ok = false
					break
				}
				newEta[i] = e
				newMu[i] = math.Exp(e)
			}
			if ok {
				dev = poissonDeviance(y, newMu)
				if !math.IsNaN(dev) && !math.IsInf(dev, 0) {
					break
				}
			}
			if beta == nil {
				// No previous estimate to step back towards.
				return nil, fmt.Errorf("%w: fitted values overflow", errNoConvergence)
			}
			for j := range b {
				b[j] = (b[j] + beta[j]) / 2
			}
			dev = math.Inf(1)
		}
		if math.IsInf(dev, 0) {
			return nil, fmt.Errorf("%w: step halving failed", errNoConvergence)
		}
		beta, cov = b, c
		copy(eta, newEta)
		copy(mu, newMu)
		if math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < tol {
			return &poissonFit{beta: beta, cov: cov, mu: mu, deviance: dev, iterations: iter}, nil
		}
		devOld = dev
	}
	return nil, fmt.Errorf("%w after %d iterations", errNoConvergence, glmMaxIter)
}

// poissonDeviance returns 2 sum [y log(y/mu) - (y - mu)].
func poissonDeviance(y, mu []float64) float64 {
	d := 0.0
	for i := range y {
		if y[i] > 0 {
			d += y[i] * math.Log(y[i]/mu[i])
		}
		d -= y[i] - mu[i]
	}
	return 2 * d
}

// poissonLogLik returns sum log dpois(y, mu) (y integer counts).
func poissonLogLik(y, mu []float64) float64 {
	l := 0.0
	for i := range y {
		lg, _ := math.Lgamma(y[i] + 1)
		if y[i] > 0 {
			l += y[i] * math.Log(mu[i])
		}
		l += -mu[i] - lg
	}
	return l
}
