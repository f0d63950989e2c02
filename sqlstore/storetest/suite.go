package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// Run is the conformance suite: every behaviour the services promise,
// checked against the database dbURL names (a fresh, empty one).
func Run(t *testing.T, dbURL string) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	t.Run("MigrateUpDownUp", func(t *testing.T) { testMigrateUpDownUp(t, db) })
	t.Run("Agencies", func(t *testing.T) { testAgencies(t, db) })
	t.Run("Cases", func(t *testing.T) { testCases(t, db) })
	t.Run("CaseReferenceUnique", func(t *testing.T) { testCaseReferenceUnique(t, db) })
	t.Run("StaleVersion", func(t *testing.T) { testStaleVersion(t, db) })
	t.Run("ConcurrentUpdate", func(t *testing.T) { testConcurrentUpdate(t, db) })
	t.Run("CrossAgencyIsolation", func(t *testing.T) { testCrossAgencyIsolation(t, db) })
	t.Run("ErrorCodes", func(t *testing.T) { testErrorCodes(t, db) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, db) })
	t.Run("PersonGrantHidesCase", func(t *testing.T) { testPersonGrantHidesCase(t, db) })
	t.Run("NoContentRoles", func(t *testing.T) { testNoContentRoles(t, db) })
	t.Run("CaseAudit", func(t *testing.T) { testCaseAudit(t, db) })
	t.Run("AuditSameTransaction", func(t *testing.T) { testAuditSameTransaction(t, db) })
	t.Run("AuditCountsMutations", func(t *testing.T) { testAuditCountsMutations(t, db) })
	t.Run("AuditHoldsNoValues", func(t *testing.T) { testAuditHoldsNoValues(t, db) })
	t.Run("CaseWorkflow", func(t *testing.T) { testCaseWorkflow(t, db) })
	t.Run("CaseFilters", func(t *testing.T) { testCaseFilters(t, db) })
}

// console is the context of the operator at the server's console.
func console() context.Context {
	return flare.WithActor(context.Background(), flare.Actor{Console: true})
}

// userOf is the context of a user of agency a.
func userOf(a *flare.Agency) context.Context {
	return flare.WithActor(context.Background(), flare.Actor{UserID: "u-" + a.ID, AgencyID: a.ID, Roles: []string{"inspector"}})
}

func wantCode(t *testing.T, err error, code flare.ErrorCode) {
	t.Helper()
	if got := flare.ErrorCodeOf(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func mustAgency(t *testing.T, db *sqlstore.DB, name string, kind flare.AgencyKind) *flare.Agency {
	t.Helper()
	a := &flare.Agency{Name: name, Kind: kind}
	if err := sqlstore.NewAgencyService(db).CreateAgency(context.Background(), a); err != nil {
		t.Fatalf("create agency %q: %v", name, err)
	}
	return a
}

func newCase(agencyID, ref string) *flare.Case {
	return &flare.Case{AgencyID: agencyID, Reference: ref, Title: "Brick kiln, " + ref,
		Status: flare.CaseOpen, OpenedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
}

func mustCase(t *testing.T, db *sqlstore.DB, ctx context.Context, c *flare.Case) *flare.Case {
	t.Helper()
	if err := sqlstore.NewCaseService(db).CreateCase(ctx, c); err != nil {
		t.Fatalf("create case %q: %v", c.Reference, err)
	}
	return c
}

func testMigrateUpDownUp(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	top, err := db.Migrate(ctx, nil)
	if err != nil {
		t.Fatalf("up: %v", err)
	}
	if top < 1 {
		t.Fatalf("version after up = %d, want >= 1", top)
	}
	st, err := db.MigrationStatuses(ctx)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("migration %d (%s) not applied after up", s.Version, s.Name)
		}
	}
	if v, err := db.MigrateDownTo(ctx, nil, 0); err != nil || v != 0 {
		t.Fatalf("down to 0 = %d, %v; want 0, nil", v, err)
	}
	// With the schema gone, the services must fail cleanly, not panic.
	if _, err := sqlstore.NewAgencyService(db).Agencies(ctx); err == nil {
		t.Fatal("listing agencies with no schema succeeded")
	}
	if v, err := db.Migrate(ctx, nil); err != nil || v != top {
		t.Fatalf("up again = %d, %v; want %d, nil", v, err, top)
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != top {
		t.Fatalf("schema version = %d, %v; want %d", v, err, top)
	}
}

func testAgencies(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	svc := sqlstore.NewAgencyService(db)
	a := &flare.Agency{Name: "  Labour Inspectorate\u202E North ", Kind: flare.AgencyLabourInspectorate}
	if err := svc.CreateAgency(ctx, a); err != nil {
		t.Fatalf("create: %v", err)
	}
	if a.ID == "" || a.CreatedAt.IsZero() {
		t.Fatalf("create did not set id and created_at: %+v", a)
	}
	if a.Name != "Labour Inspectorate North" {
		t.Errorf("name not cleaned: %q", a.Name)
	}
	got, err := svc.Agency(ctx, a.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Name != a.Name || got.Kind != a.Kind || !got.CreatedAt.Equal(a.CreatedAt.Truncate(time.Microsecond)) && !got.CreatedAt.Equal(a.CreatedAt) {
		t.Errorf("get = %+v, want %+v", got, a)
	}
	byName, err := svc.AgencyByName(ctx, "Labour Inspectorate North")
	if err != nil || byName.ID != a.ID {
		t.Fatalf("by name = %+v, %v", byName, err)
	}
	err = svc.CreateAgency(ctx, &flare.Agency{Name: "Labour Inspectorate North", Kind: flare.AgencyPolice})
	wantCode(t, err, flare.ECONFLICT)
	wantCode(t, svc.CreateAgency(ctx, &flare.Agency{Name: "X", Kind: "army"}), flare.EINVALID)
	wantCode(t, svc.CreateAgency(ctx, &flare.Agency{Name: " ", Kind: flare.AgencyPolice}), flare.EINVALID)
	mustAgency(t, db, "Anti-Trafficking Police", flare.AgencyPolice)
	all, err := svc.Agencies(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	var names []string
	for _, x := range all {
		names = append(names, x.Name)
	}
	if strings.Join(names, "|") != "Anti-Trafficking Police|Labour Inspectorate North" {
		t.Errorf("list = %v, want both agencies by name", names)
	}
	_, err = svc.Agency(ctx, "00000000-0000-7000-8000-000000000000")
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.Agency(ctx, "not-a-uuid")
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.AgencyByName(ctx, "Nobody")
	wantCode(t, err, flare.ENOTFOUND)
}

func testCases(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Cases", flare.AgencyLabourInspectorate)
	ctx := userOf(a)
	svc := sqlstore.NewCaseService(db)
	c := mustCase(t, db, ctx, newCase(a.ID, "LI-2026/0001"))
	if c.ID == "" || c.Version != 1 || c.CreatedAt.IsZero() {
		t.Fatalf("create did not set id, version, created_at: %+v", c)
	}
	got, err := svc.Case(ctx, c.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Reference != c.Reference || got.Title != c.Title || got.Status != flare.CaseOpen ||
		!got.OpenedOn.Equal(c.OpenedOn) || got.ClosedOn != nil || got.Version != 1 || got.AgencyID != a.ID {
		t.Fatalf("get = %+v, want %+v", got, c)
	}
	mustCase(t, db, ctx, newCase(a.ID, "LI-2026/0002"))
	list, err := svc.Cases(ctx, flare.CaseFilter{})
	if err != nil || len(list) != 2 {
		t.Fatalf("list = %d cases, %v; want 2", len(list), err)
	}
	closed := flare.CaseClosed
	closedOn := time.Date(2026, 4, 1, 15, 30, 0, 0, time.UTC)
	pClosedOn := &closedOn
	resolved := flare.ClosureResolved
	upd, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Status: &closed, ClosedOn: &pClosedOn, ClosureReason: &resolved})
	if err != nil {
		t.Fatalf("close case: %v", err)
	}
	if upd.Version != 2 || upd.Status != flare.CaseClosed || upd.ClosedOn == nil || !upd.ClosedOn.Equal(flare.DateOf(closedOn)) {
		t.Fatalf("closed case = %+v", upd)
	}
	list, err = svc.Cases(ctx, flare.CaseFilter{Status: flare.CaseClosed})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("closed filter = %v, %v; want the one closed case", list, err)
	}
	list, err = svc.Cases(ctx, flare.CaseFilter{Limit: 1, Offset: 1})
	if err != nil || len(list) != 1 {
		t.Fatalf("page 2 of 1 = %d cases, %v; want 1", len(list), err)
	}
	reread, err := svc.Case(ctx, c.ID)
	if err != nil || reread.Version != 2 || reread.ClosedOn == nil {
		t.Fatalf("reread = %+v, %v", reread, err)
	}
	// Reopening clears the closing date and reason; a reason on an open
	// case breaks the record's own rules and is refused.
	reopened := flare.CaseOpen
	again, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 2, Status: &reopened})
	if err != nil || again.ClosedOn != nil || again.ClosureReason != "" {
		t.Fatalf("reopen = %+v, %v", again, err)
	}
	_, err = svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 3, ClosureReason: &resolved})
	wantCode(t, err, flare.EINVALID)
}

func testCaseReferenceUnique(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Unique", flare.AgencyLabourInspectorate)
	b := mustAgency(t, db, "Police Unique", flare.AgencyPolice)
	mustCase(t, db, userOf(a), newCase(a.ID, "REF-1"))
	err := sqlstore.NewCaseService(db).CreateCase(userOf(a), newCase(a.ID, "REF-1"))
	wantCode(t, err, flare.ECONFLICT)
	// The same reference in another agency is a different case.
	mustCase(t, db, userOf(b), newCase(b.ID, "REF-1"))
}

func testStaleVersion(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Stale", flare.AgencyLabourInspectorate)
	ctx := userOf(a)
	svc := sqlstore.NewCaseService(db)
	c := mustCase(t, db, ctx, newCase(a.ID, "STALE-1"))
	first := "First editor's title"
	if _, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Title: &first}); err != nil {
		t.Fatalf("first update: %v", err)
	}
	second := "Second editor's title"
	_, err := svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Title: &second})
	wantCode(t, err, flare.ECONFLICT)
	got, err := svc.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != first || got.Version != 2 {
		t.Fatalf("after stale update: title %q version %d; want %q, 2", got.Title, got.Version, first)
	}
}

// testConcurrentUpdate saves the same version from many goroutines at once:
// exactly one may win, on either backend.
func testConcurrentUpdate(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Race", flare.AgencyLabourInspectorate)
	ctx := userOf(a)
	svc := sqlstore.NewCaseService(db)
	c := mustCase(t, db, ctx, newCase(a.ID, "RACE-1"))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := strings.Repeat("x", i+1)
			_, errs[i] = svc.UpdateCase(ctx, c.ID, flare.CaseUpdate{Version: 1, Title: &title})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch flare.ErrorCodeOf(err) {
		case "":
			wins++
		case flare.ECONFLICT:
		default:
			t.Errorf("concurrent update: unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d concurrent saves of version 1 succeeded, want exactly 1", wins)
	}
	got, err := svc.Case(ctx, c.ID)
	if err != nil || got.Version != 2 {
		t.Fatalf("version after race = %+v, %v; want 2", got, err)
	}
}

func testCrossAgencyIsolation(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Owner", flare.AgencyLabourInspectorate)
	other := mustAgency(t, db, "Police Other", flare.AgencyPolice)
	svc := sqlstore.NewCaseService(db)
	c := mustCase(t, db, userOf(owner), newCase(owner.ID, "SECRET-1"))
	foreign := userOf(other)

	_, err := svc.Case(foreign, c.ID)
	wantCode(t, err, flare.ENOTFOUND)
	list, err := svc.Cases(foreign, flare.CaseFilter{})
	if err != nil || len(list) != 0 {
		t.Fatalf("foreign list = %v, %v; want none", list, err)
	}
	list, err = svc.Cases(foreign, flare.CaseFilter{AgencyID: owner.ID})
	if err != nil || len(list) != 0 {
		t.Fatalf("foreign list filtered by owner = %v, %v; want none", list, err)
	}
	title := "Overwritten"
	_, err = svc.UpdateCase(foreign, c.ID, flare.CaseUpdate{Version: 1, Title: &title})
	wantCode(t, err, flare.ENOTFOUND)
	wantCode(t, svc.CreateCase(foreign, newCase(owner.ID, "PLANTED-1")), flare.EFORBIDDEN)
	got, err := svc.Case(console(), c.ID)
	if err != nil || got.Title != c.Title || got.Version != 1 {
		t.Fatalf("case changed by a foreign agency: %+v, %v", got, err)
	}
	// No actor at all: unauthorized, never data.
	_, err = svc.Case(context.Background(), c.ID)
	wantCode(t, err, flare.EUNAUTHORIZED)
	_, err = svc.Cases(context.Background(), flare.CaseFilter{})
	wantCode(t, err, flare.EUNAUTHORIZED)
}

func testErrorCodes(t *testing.T, db *sqlstore.DB) {
	a := mustAgency(t, db, "Inspectorate Errors", flare.AgencyLabourInspectorate)
	ctx := userOf(a)
	svc := sqlstore.NewCaseService(db)
	tests := []struct {
		name string
		err  error
		want flare.ErrorCode
	}{
		{"missing reference", svc.CreateCase(ctx, newCase(a.ID, "")), flare.EINVALID},
		{"bad reference", svc.CreateCase(ctx, newCase(a.ID, "../etc")), flare.EINVALID},
		{"unknown agency", svc.CreateCase(console(), newCase("00000000-0000-7000-8000-000000000001", "X-1")), flare.EINVALID},
		{"malformed agency", svc.CreateCase(console(), newCase("nope", "X-2")), flare.EINVALID},
		{"unknown status", func() error { c := newCase(a.ID, "X-3"); c.Status = "lost"; return svc.CreateCase(ctx, c) }(), flare.EINVALID},
		{"missing case", func() error { _, err := svc.Case(ctx, "00000000-0000-7000-8000-000000000002"); return err }(), flare.ENOTFOUND},
		{"malformed case id", func() error { _, err := svc.Case(ctx, "1 OR 1=1"); return err }(), flare.ENOTFOUND},
		{"update missing case", func() error {
			_, err := svc.UpdateCase(ctx, "00000000-0000-7000-8000-000000000003", flare.CaseUpdate{Version: 1})
			return err
		}(), flare.ENOTFOUND},
		{"bad status filter", func() error { _, err := svc.Cases(ctx, flare.CaseFilter{Status: "lost"}); return err }(), flare.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.err, tt.want)
			var fe *flare.Error
			if !errors.As(tt.err, &fe) || fe.Message == "" {
				t.Errorf("error %v carries no message for the user", tt.err)
			}
		})
	}
}
