package mse

import "math"

// normalCDF returns P(Z <= x) for a standard normal Z.
func normalCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// normalQuantile returns the p-quantile of the standard normal distribution
// by Wichura's algorithm AS 241 (PPND16, relative accuracy about 1e-16), the
// algorithm R's qnorm uses.
func normalQuantile(p float64) float64 {
	switch {
	case math.IsNaN(p) || p < 0 || p > 1:
		return math.NaN()
	case p == 0:
		return math.Inf(-1)
	case p == 1:
		return math.Inf(1)
	}
	q := p - 0.5
	if math.Abs(q) <= 0.425 {
		r := 0.180625 - q*q
		return q * (((((((r*2509.0809287301226727+33430.575583588128105)*r+67265.770927008700853)*r+45921.953931549871457)*r+13731.693765509461125)*r+1971.5909503065514427)*r+133.14166789178437745)*r + 3.387132872796366608) /
			(((((((r*5226.495278852545925+28729.085735721942674)*r+39307.89580009271061)*r+21213.794301586595867)*r+5394.1960214247511077)*r+687.1870074920579083)*r+42.313330701600911252)*r + 1)
	}
	r := p
	if q > 0 {
		r = 1 - p
	}
	r = math.Sqrt(-math.Log(r))
	var val float64
	if r <= 5 {
		r -= 1.6
		val = (((((((r*7.7454501427834140764e-4+0.0227238449892691845833)*r+0.24178072517745061177)*r+1.27045825245236838258)*r+3.64784832476320460504)*r+5.7694972214606914055)*r+4.6303378461565452959)*r + 1.42343711074968357734) /
			(((((((r*1.05075007164441684324e-9+5.475938084995344946e-4)*r+0.0151986665636164571966)*r+0.14810397642748007459)*r+0.68976733498510000455)*r+1.6763848301838038494)*r+2.05319162663775882187)*r + 1)
	} else {
		r -= 5
		val = (((((((r*2.01033439929228813265e-7+2.71155556874348757815e-5)*r+0.0012426609473880784386)*r+0.026532189526576123093)*r+0.29656057182850489123)*r+1.7848265399172913358)*r+5.4637849111641143699)*r + 6.6579046435011037772) /
			(((((((r*2.04426310338993978564e-15+1.4215117583164458887e-7)*r+1.8463183175100546818e-5)*r+7.868691311456132591e-4)*r+0.0148753612908506148525)*r+0.13692988092273580531)*r+0.59983220655588793769)*r + 1)
	}
	if q < 0 {
		return -val
	}
	return val
}

// chiSquare1Quantile returns the p-quantile of the chi-squared distribution
// with one degree of freedom: the square of a normal quantile.
func chiSquare1Quantile(p float64) float64 {
	z := normalQuantile((1 + p) / 2)
	return z * z
}

// poissonLogPMF returns log P(X = k) for X ~ Poisson(lambda).
func poissonLogPMF(k, lambda float64) float64 {
	if lambda == 0 {
		if k == 0 {
			return 0
		}
		return math.Inf(-1)
	}
	lg, _ := math.Lgamma(k + 1)
	return -lambda + k*math.Log(lambda) - lg
}

// poissonTailP returns SparseMSE's stepwise p-value for an observed overlap
// n under a Poisson(lambda) null: min(P(X <= n), P(X >= n)) (stepwisefit:
// min(ppois(n, lambda), ppois(n - 1, lambda, lower = FALSE))).
//
// The smaller tail is summed term by term from the observed value outwards,
// in ratio form so that nothing overflows and p-values far below 1e-300
// underflow to zero only where R's do. Which p-value is smallest decides the
// term added, so they must be right in the far tail, not merely small.
func poissonTailP(n, lambda float64) float64 {
	if lambda <= 0 {
		if n == 0 {
			return 1
		}
		return 0
	}
	if math.Max(n, lambda) > exactTailLimit {
		return wilsonHilfertyTailP(n, lambda)
	}
	lower := func(k float64) float64 { // P(X <= k)
		if k < 0 {
			return 0
		}
		// sum_{j<=k} pmf(j) = pmf(k) * (1 + k/l + k(k-1)/l^2 + ...)
		sum, term := 1.0, 1.0
		for j := k; j > 0; j-- {
			term *= j / lambda
			sum += term
			if term < 1e-17*sum {
				break
			}
		}
		return math.Exp(poissonLogPMF(k, lambda) + math.Log(sum))
	}
	upper := func(k float64) float64 { // P(X >= k)
		if k <= 0 {
			return 1
		}
		// sum_{j>=k} pmf(j) = pmf(k) * (1 + l/(k+1) + l^2/((k+1)(k+2)) + ...)
		sum, term := 1.0, 1.0
		for j := k + 1; ; j++ {
			term *= lambda / j
			sum += term
			if term < 1e-17*sum {
				break
			}
		}
		return math.Exp(poissonLogPMF(k, lambda) + math.Log(sum))
	}
	var lo, up float64
	if n <= lambda {
		lo = lower(n)
		up = 1 - lo + math.Exp(poissonLogPMF(n, lambda))
	} else {
		up = upper(n)
		lo = 1 - up + math.Exp(poissonLogPMF(n, lambda))
	}
	return math.Min(math.Min(lo, up), 1)
}

// exactTailLimit is the largest count or mean for which poissonTailP sums
// the tail term by term; the sum needs about 9 sqrt(lambda) terms, so beyond
// this the Wilson-Hilferty approximation takes over (counts of this size do
// not occur in lists of identified victims, but a table may still hold them).
const exactTailLimit = 1e7

// wilsonHilfertyTailP approximates poissonTailP through P(X >= k) =
// P(Gamma(k) <= lambda) and the Wilson-Hilferty cube-root normal
// approximation of the gamma distribution, accurate to a few digits at the
// counts it is used for.
func wilsonHilfertyTailP(n, lambda float64) float64 {
	atLeast := func(k float64) float64 { // P(X >= k)
		if k <= 0 {
			return 1
		}
		v := 1 / (9 * k)
		return normalCDF((math.Cbrt(lambda/k) - (1 - v)) / math.Sqrt(v))
	}
	return math.Min(1-atLeast(n+1), atLeast(n))
}
