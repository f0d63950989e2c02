package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// auditCount counts the entries about case caseID with action and outcome.
func auditCount(t *testing.T, db *sqlstore.DB, caseID string, action audit.Action, outcome audit.Outcome) int {
	t.Helper()
	entries, err := db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: caseID, Action: action, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Outcome == outcome {
			n++
		}
	}
	return n
}

// testCaseAudit: every create, read, update and denial of a case writes
// exactly one audit entry, with who, the session and the field names
// (security checklist R-AU1).
func testCaseAudit(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Audit", flare.AgencyLabourInspectorate)
	other := mustAgency(t, db, "Police Audit", flare.AgencyPolice)
	svc := sqlstore.NewCaseService(db)
	ctx := flare.WithActor(context.Background(), flare.Actor{UserID: "0193b000-0000-7000-8000-00000000000a", AgencyID: owner.ID,
		Roles: []string{"inspector"}, SessionID: "5e55"})
	c := mustCase(t, db, ctx, newCase(owner.ID, "AUD-1"))
	if _, err := svc.Case(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	title := "New title"
	if _, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Cases(ctx, flare.CaseFilter{}); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Case(actorOf(other, flare.RoleInvestigator), c.ID)
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.Case(actorOf(owner, flare.RoleAdmin), c.ID)
	wantCode(t, err, flare.EFORBIDDEN)

	for _, tt := range []struct {
		action  audit.Action
		outcome audit.Outcome
		want    int
	}{
		{audit.ActionCreate, audit.OutcomeOK, 1},
		{audit.ActionRead, audit.OutcomeOK, 2}, // the read and the list
		{audit.ActionUpdate, audit.OutcomeOK, 1},
		{audit.ActionRead, audit.OutcomeDenied, 2},
	} {
		if got := auditCount(t, db, c.ID, tt.action, tt.outcome); got != tt.want {
			t.Errorf("%s/%s entries = %d, want %d", tt.action, tt.outcome, got, tt.want)
		}
	}
	updates, _ := db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: c.ID, Action: audit.ActionUpdate})
	if len(updates) != 1 || updates[0].UserID != "0193b000-0000-7000-8000-00000000000a" || updates[0].SessionID != "5e55" ||
		fmt.Sprint(updates[0].Fields) != "[title]" {
		t.Errorf("update entry = %+v", updates)
	}
}

// testAuditSameTransaction injects a failure after the business write: the
// audit entry cannot be written (the actor id is malformed), so the whole
// transaction rolls back and neither the case nor an entry exists (R-AU1).
func testAuditSameTransaction(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Rollback", flare.AgencyLabourInspectorate)
	broken := flare.WithActor(context.Background(), flare.Actor{UserID: "not an id", AgencyID: owner.ID, Roles: []string{"inspector"}})
	svc := sqlstore.NewCaseService(db)
	before, _ := db.AuditEntries(context.Background(), sqlstore.AuditFilter{Limit: 500})
	err := svc.CreateCase(broken, newCase(owner.ID, "ROLLBACK-1"))
	if flare.ErrorCodeOf(err) != flare.EINTERNAL {
		t.Fatalf("create with an unrecordable audit entry = %v, want an internal error", err)
	}
	list, _ := svc.Cases(console(), flare.CaseFilter{AgencyID: owner.ID})
	if len(list) != 0 {
		t.Fatalf("the case exists although its audit entry failed")
	}
	// The console's listing above wrote no entries (nothing was listed).
	after, _ := db.AuditEntries(context.Background(), sqlstore.AuditFilter{Limit: 500})
	if len(after) != len(before) {
		t.Fatalf("audit entries went from %d to %d", len(before), len(after))
	}
}

// testAuditCountsMutations runs a seeded random workload of creates,
// updates (some stale), reads and foreign reads, and checks the audit
// trail holds one entry per successful mutation and read, and one per
// denial (security checklist R-AU1).
func testAuditCountsMutations(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Workload", flare.AgencyLabourInspectorate)
	other := mustAgency(t, db, "Police Workload", flare.AgencyPolice)
	svc := sqlstore.NewCaseService(db)
	ctx := actorOf(owner, flare.RoleInspector)
	foreign := actorOf(other, flare.RoleInvestigator)
	rng := rand.New(rand.NewPCG(7, 11))
	var ids []string
	want := map[audit.Action]int{}
	denied := 0
	for i := range 120 {
		switch op := rng.IntN(4); {
		case op == 0 || len(ids) == 0:
			c := newCase(owner.ID, fmt.Sprintf("W-%d", i))
			if err := svc.CreateCase(ctx, c); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
			want[audit.ActionCreate]++
		case op == 1:
			id := ids[rng.IntN(len(ids))]
			c, err := svc.Case(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			want[audit.ActionRead]++
			version := c.Version
			if rng.IntN(3) == 0 {
				version-- // a stale save: refused, not a mutation
			}
			title := fmt.Sprintf("Title %d", i)
			if _, err := svc.UpdateCase(ctx, id, flare.CaseUpdate{Version: version, Title: &title}); err == nil {
				want[audit.ActionUpdate]++
			} else if flare.ErrorCodeOf(err) != flare.ECONFLICT {
				t.Fatal(err)
			}
		case op == 2:
			if _, err := svc.Case(ctx, ids[rng.IntN(len(ids))]); err != nil {
				t.Fatal(err)
			}
			want[audit.ActionRead]++
		default:
			if _, err := svc.Case(foreign, ids[rng.IntN(len(ids))]); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
				t.Fatalf("foreign read = %v", err)
			}
			denied++
		}
	}
	got := map[audit.Action]int{}
	gotDenied := 0
	for _, id := range ids {
		for _, a := range []audit.Action{audit.ActionCreate, audit.ActionRead, audit.ActionUpdate} {
			got[a] += auditCount(t, db, id, a, audit.OutcomeOK)
		}
		gotDenied += auditCount(t, db, id, audit.ActionRead, audit.OutcomeDenied)
	}
	for _, a := range []audit.Action{audit.ActionCreate, audit.ActionRead, audit.ActionUpdate} {
		if got[a] != want[a] {
			t.Errorf("%s: %d entries for %d actions", a, got[a], want[a])
		}
	}
	if gotDenied != denied {
		t.Errorf("denials: %d entries for %d refusals", gotDenied, denied)
	}
}

// testAuditHoldsNoValues writes and reads a case whose text fields carry
// markers, fails a sign-in with a marker email, and finds no marker in the
// audit tables (security checklist R-AU2).
func testAuditHoldsNoValues(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Markers", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleSupervisor)
	c := newCase(owner.ID, "MRK-QZ81")
	c.Title = "Qzmarker Fatima kiln title"
	mustCase(t, db, ctx, c)
	svc := sqlstore.NewCaseService(db)
	title := "Qzmarker second title"
	if _, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Case(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	accounts, err := sqlstore.NewAccountService(db, Keys(t, db), flare.DefaultSessionPolicy(), FastParams, "Flare test")
	if err != nil {
		t.Fatal(err)
	}
	accounts.SignIn(context.Background(), "qzmarker.person@example.org", "Qzmarker password 1")
	for _, table := range []string{"audit_entries", "audit_hashes"} {
		for _, m := range []string{"Qzmarker", "qzmarker", "MRK-QZ81", "Fatima"} {
			if n := rowsContaining(t, db, table, m); n != 0 {
				t.Errorf("%s: %d rows contain %q", table, n, m)
			}
		}
	}
}

// testSignInAudited: failed and successful sign-ins, sign-outs and an
// admin's unlock each leave their entry (security checklist R-AU1, R-AZ7).
func testSignInAudited(t *testing.T, dbURL string) {
	f := newAccountFixture(t, dbURL)
	ctx := context.Background()
	u, secret, _ := f.enrol(t, "audited@labour.example", flare.RoleInspector)
	f.accounts.SignIn(ctx, "audited@labour.example", "not the password")
	token := f.signIn(t, "audited@labour.example", secret)
	if err := f.accounts.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	if err := f.users.UnlockUser(actorOf(f.agency, flare.RoleAdmin), u.ID); err != nil {
		t.Fatal(err)
	}
	f.users.UnlockUser(actorOf(f.agency, flare.RoleInspector), u.ID)
	entries, err := f.db.AuditEntries(ctx, sqlstore.AuditFilter{RecordType: "user", RecordID: u.ID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, string(e.Action)+"/"+string(e.Outcome))
	}
	want := []string{"update/denied", "update/ok", "sign_in/failed", "create/ok"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("user entries (newest first) = %v, want %v", got, want)
	}
	sessions, _ := f.db.AuditEntries(ctx, sqlstore.AuditFilter{RecordType: "session", UserID: u.ID, Limit: 500})
	got = nil
	for _, e := range sessions {
		got = append(got, string(e.Action)+"/"+string(e.Outcome))
	}
	if fmt.Sprint(got) != "[sign_out/ok sign_in/ok]" {
		t.Errorf("session entries = %v", got)
	}
}
