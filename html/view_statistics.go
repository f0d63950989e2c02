package html

// EstimateView is the multiple systems estimation page of an analyst
// (issue #10): the period and region asked, the overlap of the agencies'
// lists, and the estimate with its interval and what it means.
type EstimateView struct {
	Page
	From, To, Region string
	// Asked is true once a period is given.
	Asked bool
	Lists []string
	Rows  []EstimateRow
	// K is the disclosure threshold: counts from 1 to K-1 are shown as
	// "fewer than K" (security checklist R-SD1).
	K                           int
	Individuals, Records, Links int
	Observed, Unobserved, Total string
	Low, High                   string
	HighUnbounded               bool
	Terms                       []string
	ErrorMessage                string
}

// EstimateRow is one pattern of the overlap table.
type EstimateRow struct {
	On         []bool
	Count      int
	Suppressed bool
}
