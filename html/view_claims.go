package html

import "github.com/flare-ilo/flare"

// ClaimFormView is the form that computes and saves a wage claim for a
// worker (issue #8): the country's rules, the periods as CSV, the costs,
// and the offenders of the case to claim against.
type ClaimFormView struct {
	Page
	PersonID, PersonLabel string
	Form                  ClaimForm
	Offenders             []ClaimOffenderChoice
	// Statement is the computation of the form, shown before saving.
	Statement *ClaimStatement
	// Errors lists what the engine refused, each with where it is.
	Errors       []string
	ErrorMessage string
}

// ClaimForm is the claim form as typed.
type ClaimForm struct {
	Currency, MinimumWages, NormalHours, OvertimePremium, InterestRate, AsOf string
	AgreedHourly, Periods, Costs                                             string
	Chosen                                                                   map[string]bool
}

// ClaimOffenderChoice is a person or organisation of the case a claim may
// be made against.
type ClaimOffenderChoice struct {
	Value, Label string // Value is "type:id"
}

// ClaimStatement is a computation explained line by line, for the screen
// and for print.
type ClaimStatement struct {
	Currency, AsOf string
	Periods        []ClaimPeriodLine
	Costs          []ClaimCostLine
	Totals         ClaimTotals
	Estimated      bool
}

// ClaimPeriodLine is one pay period of a statement.
type ClaimPeriodLine struct {
	Start, End, Hours, Rate, NormalHours, OvertimeHours, WagesDue, Credited string
	Underpayment, UnpaidOvertime, UnlawfulDeductions, Interest, Total       string
	InterestDays                                                            int
	Estimated                                                               bool
}

// ClaimCostLine is one recruitment cost of a statement.
type ClaimCostLine struct {
	Date, Kind, Amount, Interest, Total string
	InterestDays                        int
}

// ClaimTotals are a statement's totals.
type ClaimTotals struct {
	Underpayment, UnpaidOvertime, UnlawfulDeductions, RecruitmentCosts, Interest, Total string
}

// ClaimView is one claim: its statement, offenders, ledger and balance.
type ClaimView struct {
	Page
	Claim       *flare.WageClaim
	PersonLabel string
	Offenders   []string
	Statement   *ClaimStatement
	Ledger      []*flare.LedgerEntry
	Balance     flare.ClaimBalance
	Kinds       []flare.LedgerKind
	Today       string
	// WorkerLanguage is the worker's language when the interface has it
	// and the page is in another: the statement can be shown in it.
	WorkerLanguage *Language
	// Entry is a refused ledger entry as typed, with the reason.
	Entry        LedgerForm
	ErrorMessage string
}

// LedgerForm is the ledger entry form as typed.
type LedgerForm struct {
	Kind, Amount, DecidedOn, Basis, Reference string
}

// FundView is the fund officer's view of what is owed, paid and to recover.
type FundView struct {
	Page
	Totals []flare.FundTotals
}
