package flare

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flare-ilo/flare/wages"
)

// WageClaim is what a worker in a case is owed, computed by the wages engine
// from the periods an inspector entered, and claimed against one or more
// offenders in the case (issue #8; shared/domain/wages.md). Its input is
// kept so the computation can be shown line by line at any time; the
// amounts awarded, paid and recovered are entries of the ledger, never
// fields that are overwritten.
type WageClaim struct {
	ID       string `json:"id"`
	CaseID   string `json:"case_id"`
	PersonID string `json:"person_id"`
	// Document is the claim document of `flare wages` (docs/wages.md) as
	// given; Input is it decoded.
	Document []byte      `json:"-"`
	Input    wages.Claim `json:"-"`
	// Result is the computation of Input.
	Result wages.Result `json:"computation"`
	// Currency and Claimed are the result's total, in minor units.
	Currency string       `json:"currency"`
	Claimed  wages.Amount `json:"-"`
	// ClaimedText is Claimed in decimal notation ("1234.50").
	ClaimedText string `json:"claimed"`
	// Estimated is true when part of the total rests on estimated hours.
	Estimated bool            `json:"estimated_hours"`
	Offenders []ClaimOffender `json:"offenders"`
	CreatedBy string          `json:"created_by"`
	CreatedAt time.Time       `json:"created_at"`
}

// ClaimOffender is who a claim is made against: a person or an
// organisation of the same case.
type ClaimOffender struct {
	Type string `json:"type"` // "person" or "organisation"
	ID   string `json:"id"`
}

// maxOffenders bounds the offenders of one claim.
const maxOffenders = 20

// Validate checks the parts of a claim the engine does not.
func (c *WageClaim) Validate() error {
	switch {
	case c.PersonID == "":
		return FieldError("person_id", "is required")
	case len(c.Offenders) == 0:
		return FieldError("offenders", "name at least one person or organisation of the case the claim is made against")
	case len(c.Offenders) > maxOffenders:
		return FieldError("offenders", "at most %d", maxOffenders)
	}
	for _, o := range c.Offenders {
		if o.Type != "person" && o.Type != "organisation" {
			return FieldError("offenders", "type %q is not person or organisation", o.Type)
		}
		if o.ID == c.PersonID {
			return FieldError("offenders", "the worker cannot be their own offender")
		}
	}
	return nil
}

// LedgerKind is what a ledger entry records (issue #8: "a claim records
// amounts claimed, awarded, paid by the offender, paid by the state fund,
// and recovered by the fund from the offender").
type LedgerKind string

// The kinds of ledger entry.
const (
	// LedgerAwarded is an amount of arrears awarded by an order,
	// settlement or judgment.
	LedgerAwarded LedgerKind = "awarded"
	// LedgerDamages is damages awarded, entered as decided.
	LedgerDamages LedgerKind = "damages_awarded"
	// LedgerPaidByOffender is paid to the worker by an offender.
	LedgerPaidByOffender LedgerKind = "paid_by_offender"
	// LedgerPaidByFund is paid to the worker by the state fund.
	LedgerPaidByFund LedgerKind = "paid_by_fund"
	// LedgerRecoveredByFund is recovered by the fund from an offender.
	LedgerRecoveredByFund LedgerKind = "recovered_by_fund"
)

// LedgerKinds returns every kind of ledger entry.
func LedgerKinds() []LedgerKind {
	return []LedgerKind{LedgerAwarded, LedgerDamages, LedgerPaidByOffender, LedgerPaidByFund, LedgerRecoveredByFund}
}

// AwardBasis is the decision an award rests on.
type AwardBasis string

// The decisions that award.
const (
	BasisOrder      AwardBasis = "order"
	BasisSettlement AwardBasis = "settlement"
	BasisJudgment   AwardBasis = "judgment"
)

// LedgerEntry is one line of a claim's append-only ledger. Entries are
// never changed or deleted: a mistake is corrected by a new entry with a
// reference to it (a negative amount is refused; a correction is entered
// as its own kind, e.g. a recovery reversal is not supported and must be
// noted in the reference).
type LedgerEntry struct {
	ID      string       `json:"id"`
	ClaimID string       `json:"claim_id"`
	Kind    LedgerKind   `json:"kind"`
	Amount  wages.Amount `json:"-"`
	// AmountText is Amount in decimal notation; requests give it this way.
	AmountText string `json:"amount"`
	// DecidedOn is the date of the decision or payment.
	DecidedOn time.Time `json:"decided_on"`
	// Basis is set for awards.
	Basis AwardBasis `json:"basis,omitempty"`
	// Reference is the order, judgment, settlement or payment reference.
	Reference  string    `json:"reference"`
	RecordedBy string    `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Validate checks an entry's fields; amounts are checked by the service,
// which knows the claim's currency.
func (e *LedgerEntry) Validate() error {
	e.Reference = CleanLine(e.Reference)
	switch {
	case !validLedgerKind(e.Kind):
		return FieldError("kind", "%q is not one of awarded, damages_awarded, paid_by_offender, paid_by_fund, recovered_by_fund", e.Kind)
	case e.DecidedOn.IsZero():
		return FieldError("decided_on", "is required")
	case e.Reference == "":
		return FieldError("reference", "is required: the order, judgment, settlement or payment reference")
	case utf8.RuneCountInString(e.Reference) > MaxNameLength:
		return FieldError("reference", "is longer than %d characters", MaxNameLength)
	}
	award := e.Kind == LedgerAwarded || e.Kind == LedgerDamages
	switch {
	case award && e.Basis != BasisOrder && e.Basis != BasisSettlement && e.Basis != BasisJudgment:
		return FieldError("basis", "an award rests on an order, a settlement or a judgment")
	case !award && e.Basis != "":
		return FieldError("basis", "is set only on awards")
	}
	e.DecidedOn = DateOf(e.DecidedOn)
	return nil
}

func validLedgerKind(k LedgerKind) bool {
	for _, v := range LedgerKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// ClaimBalance is derived from a claim's ledger, never stored.
type ClaimBalance struct {
	Currency string `json:"currency"`
	// Claimed is the computed total; Awarded the arrears and damages
	// awarded.
	Claimed string `json:"claimed"`
	Awarded string `json:"awarded"`
	// PaidByOffender and PaidByFund are what the worker received.
	PaidByOffender string `json:"paid_by_offender"`
	PaidByFund     string `json:"paid_by_fund"`
	// OwedToWorker is what was awarded and not yet paid to the worker.
	OwedToWorker string `json:"owed_to_worker"`
	// RecoveredByFund and OutstandingRecovery: what the fund got back from
	// offenders, and what it paid and still has to recover.
	RecoveredByFund     string `json:"recovered_by_fund"`
	OutstandingRecovery string `json:"outstanding_recovery"`
}

// FundTotals sums the balances of every claim a fund officer may see, per
// currency.
type FundTotals struct {
	Currency            string `json:"currency"`
	Claims              int    `json:"claims"`
	Awarded             string `json:"awarded"`
	OwedToWorkers       string `json:"owed_to_workers"`
	PaidByOffenders     string `json:"paid_by_offenders"`
	PaidByFund          string `json:"paid_by_fund"`
	OutstandingRecovery string `json:"outstanding_recovery"`
}

// ClaimService keeps wage claims and the fund's ledger.
type ClaimService interface {
	// CreateClaim computes c.Input and stores the claim against its
	// offenders. Invalid input is EINVALID naming the field.
	CreateClaim(ctx context.Context, c *WageClaim) error
	// Claim returns a claim with its ledger and balance.
	Claim(ctx context.Context, id string) (*WageClaim, []*LedgerEntry, ClaimBalance, error)
	// PersonClaims returns a worker's claims, newest first.
	PersonClaims(ctx context.Context, personID string) ([]*WageClaim, error)
	// AddLedgerEntry appends to a claim's ledger. It refuses an entry that
	// would pay the worker more than was awarded, pay beyond the fund's
	// ceiling, or recover more than the fund paid.
	AddLedgerEntry(ctx context.Context, e *LedgerEntry) error
	// FundTotals sums the claims the actor may see.
	FundTotals(ctx context.Context) ([]FundTotals, error)
}

// Fill sets the claim's currency, total and estimate flag from its Result.
func (c *WageClaim) Fill() {
	c.Currency = c.Result.Currency.Code
	c.Claimed = c.Result.Totals.Total
	c.ClaimedText = c.Result.Currency.Format(c.Claimed)
	c.Estimated = c.Result.FromEstimatedHours.Total != 0
}

// ComputeClaim decodes a claim document and computes it. Bad input is an
// EINVALID error whose fields name each problem under "claim." (the key of
// the document in API requests), so pages and the API show where it is.
func ComputeClaim(doc []byte) (wages.Claim, wages.Result, error) {
	in, err := wages.DecodeClaim(doc)
	if err != nil {
		return in, wages.Result{}, claimInputError(err)
	}
	res, err := wages.Compute(in)
	if err != nil {
		return in, res, claimInputError(err)
	}
	return in, res, nil
}

func claimInputError(err error) error {
	const prefix = "claim."
	var list wages.InputErrors
	if errors.As(err, &list) && len(list) > 0 {
		fields := map[string]string{}
		var msgs []string
		for _, ie := range list {
			fields[prefix+ie.Field] = ie.Problem
			msgs = append(msgs, prefix+ie.Field+": "+ie.Problem)
		}
		return &Error{Code: EINVALID, Message: strings.Join(msgs, "; "), Fields: fields}
	}
	var one *wages.InputError
	if errors.As(err, &one) {
		return FieldError(prefix+one.Field, "%s", one.Problem)
	}
	return Errorf(EINVALID, "the claim cannot be computed: %v", err)
}
