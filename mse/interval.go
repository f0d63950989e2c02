package mse

import (
	"fmt"
	"math"
)

// Interval is a confidence interval for the total population, with the
// point estimate that goes with it.
type Interval struct {
	Point, Low, High float64
	// Level is the coverage, e.g. 0.95.
	Level float64
	// HighUnbounded is true when the profile likelihood does not fall to
	// the cut-off below the search limit; High is then that limit.
	HighUnbounded bool
}

// LogNormalInterval returns the interval SparseMSE reports
// (estimatepopulation.0): the log of the unobserved count is taken as normal
// with mean the fitted intercept and standard deviation its standard error,
// so the unobserved count's quantiles are exp(b0 + z_q se) and the point
// estimate is the median, observed + exp(b0).
func LogNormalInterval(f *Fit, level float64) (Interval, error) {
	if !(level > 0 && level < 1) {
		return Interval{}, fmt.Errorf("confidence level %g outside (0, 1)", level)
	}
	b0, se := f.Coef[0], f.InterceptSE()
	z := normalQuantile((1 + level) / 2)
	return Interval{
		Point: f.Observed + math.Exp(b0),
		Low:   f.Observed + math.Exp(b0-z*se),
		High:  f.Observed + math.Exp(b0+z*se),
		Level: level,
	}, nil
}

// profileSearchFactor is Rcapture's fmaxSupCL: the upper limit is sought up
// to three times the Poisson estimate of the total.
const profileSearchFactor = 3

// ProfileInterval returns the multinomial profile likelihood interval of
// Rcapture's closedpCI.t (Rivest and Baillargeon; Cormack 1992), with its
// point estimate, the total N that maximises the profile likelihood (not the
// Poisson estimate observed + exp(b0), from which it differs by a few units).
//
// For a candidate total N, the unobserved cell gets count N - n and the
// model is refitted with it; the multinomial profile log-likelihood is
// -deviance/2 plus Cormack's correction for replacing the Poisson by the
// multinomial likelihood. The interval holds the N whose log-likelihood is
// within chi2_1(level)/2 of the maximum; its lower end is n if the
// likelihood does not drop that far above n.
func ProfileInterval(f *Fit, level float64) (Interval, error) {
	if !(level > 0 && level < 1) {
		return Interval{}, fmt.Errorf("confidence level %g outside (0, 1)", level)
	}
	d := f.design
	n := f.Observed
	cells := len(d.cells)
	x := newMatrix(cells+1, d.x.cols)
	copy(x.data, d.x.data)
	x.set(cells, 0, 1) // the unobserved cell: intercept only
	y := append(append([]float64(nil), d.y...), 0)
	start := append(append([]float64(nil), f.fitted.mu...), f.Unobserved())
	var evalErr error
	loglik := func(total float64) float64 {
		n0 := total - n
		y[cells] = n0
		pf, err := fitPoisson(x, y, start, tightTolerance)
		if err != nil {
			evalErr = err
			return math.NaN()
		}
		copy(start, pf.mu)
		return -pf.deviance/2 + cormackCorrection(n0, total)
	}
	poissonN := f.Total()
	hi := profileSearchFactor * poissonN
	nMax := maximize(loglik, n, hi)
	if evalErr != nil {
		return Interval{}, fmt.Errorf("profile likelihood: %w", evalErr)
	}
	lMax := loglik(nMax)
	cut := lMax - chiSquare1Quantile(level)/2
	g := func(total float64) float64 { return loglik(total) - cut }
	iv := Interval{Point: nMax, Level: level}
	if g(n) < 0 {
		iv.Low = findRoot(g, n, nMax)
	} else {
		iv.Low = n
	}
	if g(hi) < 0 {
		iv.High = findRoot(g, nMax, hi)
	} else {
		iv.High, iv.HighUnbounded = hi, true
	}
	if evalErr != nil {
		return Interval{}, fmt.Errorf("profile likelihood: %w", evalErr)
	}
	return iv, nil
}

// cormackCorrection is the term closedpCI.t adds to -deviance/2 to turn the
// Poisson profile into the multinomial one (Cormack 1992): Stirling's form
// for totals above 100, the exact log(n0^n0 N! / (N^N n0!)) below.
func cormackCorrection(n0, total float64) float64 {
	if total > 100 {
		if n0 == 0 || n0 == 1 {
			return -total + 0.5*math.Log(2*math.Pi*total)
		}
		return n0 - total - 0.5*math.Log(n0/total)
	}
	xlogx := func(v float64) float64 {
		if v == 0 {
			return 0
		}
		return v * math.Log(v)
	}
	lgN, _ := math.Lgamma(total + 1)
	lgn0, _ := math.Lgamma(n0 + 1)
	return xlogx(n0) + lgN - xlogx(total) - lgn0
}

// maximize returns the maximiser of a unimodal f on [a, b] by golden-section
// search to a relative tolerance of 1e-10: far tighter than R's optimize
// (tol 1e-4), so the result is the true maximiser, which R's agrees with to
// well under a unit.
func maximize(f func(float64) float64, a, b float64) float64 {
	const invPhi = 0.6180339887498949
	c := b - invPhi*(b-a)
	d := a + invPhi*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-10*math.Max(1, math.Abs(a)+math.Abs(b)) {
		if fc >= fd {
			b, d, fd = d, c, fc
			c = b - invPhi*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + invPhi*(b-a)
			fd = f(d)
		}
		if math.IsNaN(fc) || math.IsNaN(fd) {
			return math.NaN()
		}
	}
	return (a + b) / 2
}

// findRoot returns a root of f in [a, b], where f(a) and f(b) have opposite
// signs, by bisection to a relative tolerance of 1e-12.
func findRoot(f func(float64) float64, a, b float64) float64 {
	fa := f(a)
	for b-a > 1e-12*math.Max(1, math.Abs(a)+math.Abs(b)) {
		m := (a + b) / 2
		fm := f(m)
		if math.IsNaN(fm) {
			return math.NaN()
		}
		if (fm < 0) == (fa < 0) {
			a, fa = m, fm
		} else {
			b = m
		}
	}
	return (a + b) / 2
}
