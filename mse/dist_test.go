package mse

import (
	"math"
	"testing"
)

func TestNormalQuantile(t *testing.T) {
	// Values of R's qnorm.
	for _, tt := range []struct{ p, want float64 }{
		{0.5, 0},
		{0.975, 1.959963984540054},
		{0.025, -1.959963984540054},
		{0.3, -0.5244005127080407},
		{1e-10, -6.361340902404056},
		{0.999, 3.090232306167813},
	} {
		if got := normalQuantile(tt.p); math.Abs(got-tt.want) > 1e-14*math.Max(1, math.Abs(tt.want)) {
			t.Errorf("normalQuantile(%g) = %.16g, want %.16g", tt.p, got, tt.want)
		}
		if tt.p > 0 && tt.p < 1 {
			if back := normalCDF(normalQuantile(tt.p)); math.Abs(back-tt.p) > 1e-14 {
				t.Errorf("normalCDF(normalQuantile(%g)) = %g", tt.p, back)
			}
		}
	}
	if !math.IsInf(normalQuantile(0), -1) || !math.IsInf(normalQuantile(1), 1) || !math.IsNaN(normalQuantile(2)) {
		t.Error("normalQuantile at the ends")
	}
	if got := chiSquare1Quantile(0.95); math.Abs(got-3.841458820694124) > 1e-12 {
		t.Errorf("chiSquare1Quantile(0.95) = %.15g", got)
	}
}

// bruteTail sums Poisson probabilities in log space term by term.
func bruteTail(from, to, lambda float64) float64 {
	m := math.Inf(-1)
	var logs []float64
	for k := from; k <= to; k++ {
		l := poissonLogPMF(k, lambda)
		logs = append(logs, l)
		m = math.Max(m, l)
	}
	s := 0.0
	for _, l := range logs {
		s += math.Exp(l - m)
	}
	return math.Exp(m + math.Log(s))
}

func TestPoissonTailP(t *testing.T) {
	for _, tt := range []struct{ n, lambda, want float64 }{
		{3, 10, 0.010336050675925726}, // ppois(3, 10)
		{15, 10, 0.08345847293466283}, // ppois(14, 10, lower = FALSE)
		{10, 10, 0.5420702855281478},  // ppois(9, 10, lower = FALSE)
		{0, 2.5, math.Exp(-2.5)},      // an empty overlap
		{0, 0, 1},
	} {
		if got := poissonTailP(tt.n, tt.lambda); math.Abs(got-tt.want) > 1e-12*tt.want {
			t.Errorf("poissonTailP(%g, %g) = %.16g, want %.16g", tt.n, tt.lambda, got, tt.want)
		}
	}
	// Far tails, against a brute-force sum.
	for _, tt := range []struct{ n, lambda float64 }{{400, 100}, {20, 300}, {2000, 1500}, {5, 5000}} {
		var want float64
		if tt.n > tt.lambda {
			want = bruteTail(tt.n, tt.n+20000, tt.lambda)
		} else {
			want = bruteTail(0, tt.n, tt.lambda)
		}
		if got := poissonTailP(tt.n, tt.lambda); math.Abs(got-want) > 1e-10*want {
			t.Errorf("poissonTailP(%g, %g) = %g, want %g", tt.n, tt.lambda, got, want)
		}
	}
}

func TestPoissonTailPLarge(t *testing.T) {
	// Near the switch to the approximation the two must agree closely.
	for _, tt := range []struct{ n, lambda float64 }{{1e7 - 3000, 1e7 - 1}, {1e7 - 1 + 4000, 1e7 - 1}} {
		exact := poissonTailP(tt.n, tt.lambda)
		approx := wilsonHilfertyTailP(tt.n, tt.lambda)
		if math.Abs(approx-exact) > 1e-3*exact {
			t.Errorf("n %g lambda %g: exact %g, Wilson-Hilferty %g", tt.n, tt.lambda, exact, approx)
		}
	}
	if p := poissonTailP(1<<50, 1<<50); p < 0.4 || p > 0.6 {
		t.Errorf("p at the mean of a huge count = %g", p)
	}
}

func TestQuantileType8(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// R: quantile(1:10, c(0, 0.1, 0.5, 0.975, 1), type = 8)
	for _, tt := range []struct{ p, want float64 }{
		{0, 1}, {0.1, 1.3666666666666667}, {0.5, 5.5}, {0.975, 10}, {1, 10},
	} {
		if got := quantileType8(x, tt.p); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("quantileType8(1:10, %g) = %.16g, want %g", tt.p, got, tt.want)
		}
	}
}
