package mse

import (
	"fmt"
	"math"
	"slices"
)

// Fit is a Poisson log-linear model fitted to a capture table.
type Fit struct {
	// Terms are the two-list terms of the model in the order they were
	// added; EmptyTerms are those among them whose lists share no case,
	// whose parameter is minus infinity and whose cells are left out.
	Terms, EmptyTerms []Pair
	// Names, Coef and SE describe the finite parameters: "(Intercept)",
	// one per list, then one per term with a non-empty overlap.
	Names    []string
	Coef, SE []float64
	// Observed is the number of cases on at least one list.
	Observed float64
	// Deviance and DF are the residual deviance and degrees of freedom
	// over the cells fitted; AIC is R's glm AIC plus two per empty term
	// (SparseMSE's modelfit adjustment), so it is comparable across models
	// and equal to what glm reports for the same model on the full table.
	Deviance float64
	DF       int
	AIC      float64
	// Iterations of the IRLS fit.
	Iterations int

	table  *Table
	design *design
	fitted *poissonFit
}

// Unobserved returns the estimated expected number of cases on no list,
// exp(intercept).
func (f *Fit) Unobserved() float64 { return math.Exp(f.Coef[0]) }

// Total returns the estimated population, observed plus unobserved.
func (f *Fit) Total() float64 { return f.Observed + f.Unobserved() }

// InterceptSE returns the standard error of the intercept, the log of the
// unobserved count.
func (f *Fit) InterceptSE() float64 { return f.SE[0] }

// TermNames returns the model's two-list terms as "A:B".
func (f *Fit) TermNames() []string {
	names := make([]string, len(f.Terms))
	for i, p := range f.Terms {
		names[i] = f.table.termName(p)
	}
	return names
}

// EmptyTermNames returns the names of the terms whose overlap is empty.
func (f *Fit) EmptyTermNames() []string {
	names := make([]string, len(f.EmptyTerms))
	for i, p := range f.EmptyTerms {
		names[i] = f.table.termName(p)
	}
	return names
}

// ModelError explains why a model cannot be fitted to a table: the data,
// not the program, are at fault.
type ModelError struct {
	Terms []string
	Check Check
	// Reason, when set, replaces the message derived from Check.
	Reason string
}

// Error implements the error interface.
func (e *ModelError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	model := "the main-effects model"
	if len(e.Terms) > 0 {
		model = fmt.Sprintf("the model with %v", e.Terms)
	}
	switch {
	case !e.Check.Exists && !e.Check.Identifiable:
		return model + " has no finite maximum likelihood estimate and is not identifiable on this table"
	case !e.Check.Exists:
		return model + " has no finite maximum likelihood estimate on this table (the overlaps are too sparse)"
	default:
		return model + " is not identifiable on this table (more parameters than the observed overlaps determine)"
	}
}

// FitModel checks (CheckModel) and then fits the main-effects model plus the
// given two-list terms. It refuses a model that fails either check with a
// *ModelError rather than return a number that is not an estimate.
func FitModel(t *Table, terms []Pair) (*Fit, error) {
	if err := checkLists(t); err != nil {
		return nil, err
	}
	if c := CheckModel(t, terms); !c.OK() {
		names := make([]string, len(terms))
		for i, p := range terms {
			names[i] = t.termName(p)
		}
		return nil, &ModelError{Terms: names, Check: c}
	}
	return fitUnchecked(t, terms)
}

// checkLists rejects tables on which no model is informative: a list with
// no case, or one with every case, has a main effect at infinity.
func checkLists(t *Table) error {
	n := t.Observed()
	if n == 0 {
		return &ModelError{Reason: "the table has no cases"}
	}
	for i, name := range t.lists {
		switch t.ListTotal(i) {
		case 0:
			return &ModelError{Reason: fmt.Sprintf("list %s has no case: drop it", name)}
		case n:
			return &ModelError{Reason: fmt.Sprintf("list %s holds every observed case, so the table says nothing about cases on no list: drop it", name)}
		}
	}
	return nil
}

// fitUnchecked fits the model without the existence checks (stepwisefit fits
// with check=FALSE models it has already checked), from R's starting values
// so that the estimate is R's to the last digits that matter.
func fitUnchecked(t *Table, terms []Pair) (*Fit, error) {
	d := buildDesign(t, terms)
	pf, err := fitPoisson(d.x, d.y, nil, rGLMTolerance)
	if err != nil {
		return nil, fmt.Errorf("fit %v: %w", d.names, err)
	}
	p := d.x.cols
	se := make([]float64, p)
	for j := range p {
		se[j] = math.Sqrt(pf.cov.at(j, j))
	}
	return &Fit{
		Terms:      slices.Clone(terms),
		EmptyTerms: d.empty,
		Names:      d.names,
		Coef:       pf.beta,
		SE:         se,
		Observed:   float64(t.Observed()),
		Deviance:   math.Max(0, pf.deviance), // rounding can leave a saturated fit at -1e-14
		DF:         len(d.cells) - p,
		AIC:        -2*poissonLogLik(d.y, pf.mu) + 2*float64(p+len(d.empty)),
		Iterations: pf.iterations,
		table:      t,
		design:     d,
		fitted:     pf,
	}, nil
}

// expectedOnBoth returns the fitted expected number of cases on both lists
// of a pair, summed over the cells in the fit.
func (f *Fit) expectedOnBoth(p Pair) float64 {
	s := 0.0
	for r, c := range f.design.cells {
		if c&p.mask() == p.mask() {
			s += f.fitted.mu[r]
		}
	}
	return s
}

// lastWaldP returns the two-sided Wald p-value of the last parameter, as R's
// summary.glm reports it (dispersion 1).
func (f *Fit) lastWaldP() float64 {
	j := len(f.Coef) - 1
	return 2 * normalCDF(-math.Abs(f.Coef[j]/f.SE[j]))
}
