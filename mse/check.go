package mse

// existenceTolerance is the smallest optimum of the linear program, relative
// to the largest sufficient statistic, taken as positive. SparseMSE tests the
// lpSolve optimum for exact equality with zero; a tolerance is needed with
// floating-point pivots, and true optima are many orders of magnitude larger.
const existenceTolerance = 1e-9

// Check is the verdict of SparseMSE's checkident on one model.
type Check struct {
	// Exists is false when the linear program shows that the maximum
	// likelihood estimate is not finite.
	Exists bool
	// Identifiable is false when the model matrix, once cells forced to
	// zero by empty overlaps are removed, is rank deficient.
	Identifiable bool
}

// OK reports whether the model passes both tests.
func (c Check) OK() bool { return c.Exists && c.Identifiable }

// CheckModel applies the existence and identifiability tests of SparseMSE
// (checkident; Fienberg and Rinaldo 2012; Chan, Silverman and Vincent 2019,
// section 2.3) to the main-effects model plus the given two-list terms.
func CheckModel(t *Table, terms []Pair) Check {
	d := buildDesign(t, terms)
	return Check{
		Exists:       maxMinEntry(d.x, d.sufficientStats()) > existenceTolerance,
		Identifiable: columnRank(d.x) == d.x.cols,
	}
}
