package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/wages"
)

// ClaimDocument is the claim of docs/wages.md's example, with marker in a
// deduction's kind: 3 periods, a minimum wage change, overtime, lawful and
// unlawful deductions, estimated hours and a recruitment fee.
func ClaimDocument(marker string) string {
	return `{"rules": {"currency": "USD",
	  "minimum_wage_hourly": [{"from": "2009-01-01", "hourly": 6.55}, {"from": "2009-07-24", "hourly": "7.25"}],
	  "normal_hours_per_week": 40, "overtime_premium": 0.5, "annual_interest_rate": 0.05, "as_of": "2009-12-31"},
	 "agreed_hourly": 0,
	 "periods": [
	  {"start": "2009-07-01", "end": "2009-07-14", "hours_worked": 100, "paid": 300},
	  {"start": "2009-07-15", "end": "2009-07-28", "hours_worked": 70, "paid": "200.00",
	   "deductions": [{"kind": "housing", "amount": 50, "lawful": true}, {"kind": "debt ` + marker + `", "amount": 100, "lawful": false}]},
	  {"start": "2009-07-29", "end": "2009-08-11", "hours_worked": 84, "paid": 0, "estimated": true,
	   "deductions": [{"kind": "fines", "amount": 700, "lawful": false}]}],
	 "costs_paid_by_worker": [{"date": "2009-06-01", "kind": "recruitment fee", "amount": 500}]}`
}

// RunClaims is the conformance suite of wage claims and the fund's ledger
// (issue #8): the claim is computed by the engine and sealed, offenders
// must be in the case, every balance derives from an append-only ledger
// whose rules hold under concurrent payments, and access follows the
// worker's.
func RunClaims(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	ctx := actorOf(e.owner, flare.RoleInspector)
	svc := sqlstore.NewClaimService(e.db, e.keys, sqlstore.FundRules{})
	worker := e.create(t, ctx, &flare.Person{CaseID: e.c.ID, Role: flare.RolePresumedVictim})
	boss := e.create(t, ctx, &flare.Person{CaseID: e.c.ID, Role: flare.RoleSuspectedPerpetrator})
	farm := &flare.Organisation{CaseID: e.c.ID, Type: flare.OrgEmployer, Name: "Green Valley Farm", Country: "KE"}
	if err := sqlstore.NewOrganisationService(e.db).CreateOrganisation(ctx, farm); err != nil {
		t.Fatal(err)
	}

	doc := ClaimDocument("Wq4Marker")
	c := &flare.WageClaim{PersonID: worker.ID, Document: []byte(doc),
		Offenders: []flare.ClaimOffender{{Type: "organisation", ID: farm.ID}, {Type: "person", ID: boss.ID}}}
	if err := svc.CreateClaim(ctx, c); err != nil {
		t.Fatalf("create claim: %v", err)
	}
	in, _ := wages.DecodeClaim([]byte(doc))
	want, _ := wages.Compute(in)
	if c.Currency != "USD" || c.Claimed != want.Totals.Total || !c.Estimated || c.CaseID != e.c.ID {
		t.Fatalf("claim = %s %s (estimated %v), want %s", c.Currency, c.ClaimedText, c.Estimated, want.Currency.Format(want.Totals.Total))
	}

	for name, bad := range map[string]*flare.WageClaim{
		"offender elsewhere": {PersonID: worker.ID, Document: []byte(doc), Offenders: []flare.ClaimOffender{{Type: "organisation", ID: e.owner.ID}}},
		"no offender":        {PersonID: worker.ID, Document: []byte(doc)},
		"worker as offender": {PersonID: worker.ID, Document: []byte(doc), Offenders: []flare.ClaimOffender{{Type: "person", ID: worker.ID}}},
		"bad hours": {PersonID: worker.ID, Offenders: c.Offenders,
			Document: []byte(strings.Replace(doc, `"hours_worked": 100`, `"hours_worked": 400`, 1))},
	} {
		if err := svc.CreateClaim(ctx, bad); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}

	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	add := func(kind flare.LedgerKind, amount string, basis flare.AwardBasis) error {
		return svc.AddLedgerEntry(ctx, &flare.LedgerEntry{ClaimID: c.ID, Kind: kind, AmountText: amount, DecidedOn: day,
			Basis: basis, Reference: "Labour court 2026/114"})
	}
	wantCode(t, add(flare.LedgerPaidByFund, "10.00", ""), flare.ECONFLICT) // nothing awarded yet
	mustOK := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(add(flare.LedgerAwarded, "1000.00", flare.BasisJudgment))
	mustOK(add(flare.LedgerDamages, "200", flare.BasisJudgment))
	mustOK(add(flare.LedgerPaidByOffender, "300.00", ""))
	wantCode(t, add(flare.LedgerPaidByFund, "900.01", ""), flare.ECONFLICT)
	wantCode(t, add(flare.LedgerPaidByFund, "1.005", ""), flare.EINVALID)
	wantCode(t, add(flare.LedgerPaidByFund, "-5", ""), flare.EINVALID)
	wantCode(t, add(flare.LedgerAwarded, "5", ""), flare.EINVALID) // an award needs its basis

	// Ten concurrent payments of 100 against 900 owed: exactly nine land.
	var wg sync.WaitGroup
	var mu sync.Mutex
	okN := 0
	for range 10 {
		wg.Go(func() {
			if err := add(flare.LedgerPaidByFund, "100", ""); err == nil {
				mu.Lock()
				okN++
				mu.Unlock()
			} else if code := flare.ErrorCodeOf(err); code != flare.ECONFLICT {
				t.Errorf("concurrent payment: %v", err)
			}
		})
	}
	wg.Wait()
	if okN != 9 {
		t.Fatalf("%d concurrent payments landed, want 9", okN)
	}
	wantCode(t, add(flare.LedgerRecoveredByFund, "900.01", ""), flare.ECONFLICT)
	mustOK(add(flare.LedgerRecoveredByFund, "400", ""))

	got, ledger, bal, err := svc.Claim(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantBal := flare.ClaimBalance{Currency: "USD", Claimed: c.ClaimedText, Awarded: "1200.00", PaidByOffender: "300.00",
		PaidByFund: "900.00", OwedToWorker: "0.00", RecoveredByFund: "400.00", OutstandingRecovery: "500.00"}
	if bal != wantBal || len(ledger) != 13 || got.Result.Totals.Total != want.Totals.Total {
		t.Fatalf("balance = %+v (%d entries), want %+v", bal, len(ledger), wantBal)
	}
	totals, err := svc.FundTotals(ctx)
	if err != nil || len(totals) != 1 || totals[0].OutstandingRecovery != "500.00" || totals[0].Claims != 1 {
		t.Fatalf("fund totals = %+v, %v", totals, err)
	}

	// The ledger is append-only in the database itself.
	raw := RawDB(t, dbURL)
	if _, err := raw.Exec(`UPDATE claim_ledger SET amount_minor = 1`); err == nil {
		t.Fatal("UPDATE of the ledger succeeded")
	}
	if _, err := raw.Exec(`DELETE FROM claim_ledger`); err == nil {
		t.Fatal("DELETE from the ledger succeeded")
	}

	// The fund's rules: a ceiling and a minimum victim stage.
	strict := sqlstore.NewClaimService(e.db, e.keys, sqlstore.FundRules{Ceilings: map[string]wages.Amount{"USD": 5000}, MinimumStage: flare.VictimIdentified})
	c2 := &flare.WageClaim{PersonID: worker.ID, Document: []byte(doc), Offenders: c.Offenders}
	mustOK(strict.CreateClaim(ctx, c2))
	mustOK(strict.AddLedgerEntry(ctx, &flare.LedgerEntry{ClaimID: c2.ID, Kind: flare.LedgerAwarded, AmountText: "100", DecidedOn: day, Basis: flare.BasisOrder, Reference: "Order 7"}))
	err = strict.AddLedgerEntry(ctx, &flare.LedgerEntry{ClaimID: c2.ID, Kind: flare.LedgerPaidByFund, AmountText: "60", DecidedOn: day, Reference: "Pay 1"})
	if flare.ErrorCodeOf(err) != flare.ECONFLICT || !strings.Contains(flare.ErrorMessageOf(err), "50.00") {
		t.Fatalf("above the ceiling: %v", err)
	}
	err = strict.AddLedgerEntry(ctx, &flare.LedgerEntry{ClaimID: c2.ID, Kind: flare.LedgerPaidByFund, AmountText: "40", DecidedOn: day, Reference: "Pay 1"})
	if flare.ErrorCodeOf(err) != flare.ECONFLICT || !strings.Contains(flare.ErrorMessageOf(err), "identified") {
		t.Fatalf("not an identified victim: %v", err)
	}

	// Another agency does not know the claim exists; the claim's input is
	// sealed at rest.
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, _, _, err := svc.Claim(police, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police read: %v", err)
	}
	if list, err := svc.PersonClaims(ctx, worker.ID); err != nil || len(list) != 2 {
		t.Fatalf("worker's claims = %d, %v", len(list), err)
	}
	if n, err := e.db.CountRowsContaining(context.Background(), "wage_claims", "Wq4Marker"); err != nil || n != 0 {
		t.Fatalf("the claim's input is readable in %d rows (%v)", n, err)
	}
}
