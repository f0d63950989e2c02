package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunReferrals: the inspectorate refers a case to the police; the police
// see nothing before accepting, accept exactly once under concurrent
// clicks, and then read the case through the grant; a declined referral
// grants nothing; an unanswered one past its deadline is overdue to both
// sides (issue #6).
func RunReferrals(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	svc := sqlstore.NewReferralService(e.db)
	cases := sqlstore.NewCaseService(e.db)
	insp, police := actorOf(e.owner, flare.RoleInspector), actorOf(e.other, flare.RoleInvestigator)
	clock := NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	e.db.SetClock(clock.Now)
	send := func(c *flare.Case, due time.Time) *flare.Referral {
		r := &flare.Referral{CaseID: c.ID, ToAgencyID: e.other.ID, Purpose: "Criminal investigation of the recruiter", Urgent: true,
			DueOn: due, Grant: flare.CaseGrant{Basis: flare.BasisLaw, Reference: "Anti-Trafficking Act, art. 12"}}
		if err := svc.SendReferral(insp, r); err != nil {
			t.Fatalf("send: %v", err)
		}
		return r
	}
	r := send(e.c, clock.Now().AddDate(0, 0, 5))
	if _, err := cases.Case(police, e.c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police before accepting: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	won, conflicts := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := svc.AcceptReferral(police, r.ID)
			mu.Lock()
			defer mu.Unlock()
			switch flare.ErrorCodeOf(err) {
			case "":
				won++
			case flare.ECONFLICT:
				conflicts++
			default:
				t.Errorf("accept: %v", err)
			}
		})
	}
	wg.Wait()
	if won != 1 || conflicts != 7 {
		t.Fatalf("%d accepted and %d conflicts, want 1 and 7", won, conflicts)
	}
	if n := countRows(t, RawDB(t, dbURL), "case_grants"); n != 1 {
		t.Fatalf("%d grants, want 1", n)
	}
	if _, err := cases.Case(police, e.c.ID); err != nil {
		t.Fatalf("police after accepting: %v", err)
	}
	// A grantee may work on the case but not pass it on, not even to
	// itself to widen its grant: sharing stays with the owner.
	onward := &flare.Referral{CaseID: e.c.ID, ToAgencyID: e.other.ID, Purpose: "Wider access", DueOn: clock.Now(),
		Grant: flare.CaseGrant{Basis: flare.BasisLaw, Reference: "Act"}}
	if err := svc.SendReferral(police, onward); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("a grantee referring the case onward: %v", err)
	}
	// The sender cannot accept its own referral; a stranger sees nothing.
	if _, err := svc.AcceptReferral(insp, r.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("the sender accepting: %v", err)
	}

	// Declined: no grant, and a reason is required.
	c2 := mustCase(t, e.db, insp, newCase(e.owner.ID, "R-2"))
	r2 := send(c2, clock.Now().AddDate(0, 0, 1))
	if _, err := svc.DeclineReferral(police, r2.ID, " "); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("decline without reason: %v", err)
	}
	if _, err := svc.DeclineReferral(police, r2.ID, "Outside our district"); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Case(police, c2.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police after declining: %v", err)
	}

	// Overdue: unanswered past the due date, for both sides.
	c3 := mustCase(t, e.db, insp, newCase(e.owner.ID, "R-3"))
	r3 := send(c3, clock.Now().AddDate(0, 0, 2))
	clock.Add(3 * 24 * time.Hour)
	for _, who := range []struct {
		name string
		ctx  context.Context
	}{{"sender", insp}, {"receiver", police}} {
		list, err := svc.Referrals(who.ctx)
		if err != nil {
			t.Fatal(err)
		}
		overdue := map[string]bool{}
		for _, x := range list {
			overdue[x.ID] = x.Overdue
		}
		if !overdue[r3.ID] || overdue[r.ID] || overdue[r2.ID] || len(list) != 3 {
			t.Fatalf("%s sees %d referrals, overdue %v", who.name, len(list), overdue)
		}
	}
	// Bad input.
	bad := &flare.Referral{CaseID: e.c.ID, ToAgencyID: e.owner.ID, Purpose: "x", DueOn: clock.Now(),
		Grant: flare.CaseGrant{Basis: flare.BasisLaw, Reference: "Act"}}
	if err := svc.SendReferral(insp, bad); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("referral to its own agency: %v", err)
	}
	consent := &flare.Referral{CaseID: e.c.ID, ToAgencyID: e.other.ID, Purpose: "Shelter", DueOn: clock.Now(),
		Grant: flare.CaseGrant{Basis: flare.BasisConsent, Reference: "Given orally in Swahili"}}
	if err := svc.SendReferral(insp, consent); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("consent without date and expiry: %v", err)
	}
}
