package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunEnforcement is the conformance suite of enforcement records (issue
// #6): inspections and proceedings stored, read back and audited, sealed
// where they hold free text, visible to other agencies only through their
// grants; and erasure under legal holds (security checklist R-DP3).
func RunEnforcement(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	t.Run("Inspections", func(t *testing.T) { testInspections(t, e) })
	t.Run("Proceedings", func(t *testing.T) { testProceedings(t, e) })
	t.Run("ProceedingGrants", func(t *testing.T) { testProceedingGrants(t, e) })
	t.Run("ErasureWithoutHold", func(t *testing.T) { testErasureWithoutHold(t, e) })
	t.Run("ErasureUnderHold", func(t *testing.T) { testErasureUnderHold(t, e) })
	t.Run("ErasureAccess", func(t *testing.T) { testErasureAccess(t, e) })
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func mustWorksite(t *testing.T, db *sqlstore.DB, ctx context.Context, caseID, name string) *flare.Worksite {
	t.Helper()
	w := &flare.Worksite{CaseID: caseID, Name: name, Country: "NP"}
	if err := sqlstore.NewWorksiteService(db).CreateWorksite(ctx, w); err != nil {
		t.Fatal(err)
	}
	return w
}

func testInspections(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "INS-1"))
	other := mustCase(t, e.db, owner, newCase(e.owner.ID, "INS-2"))
	site := mustWorksite(t, e.db, owner, c.ID, "Kiln 4")
	elsewhere := mustWorksite(t, e.db, owner, other.ID, "Farm")
	worker := e.create(t, owner, PersonFixture(c.ID, "Ins"))
	stranger := e.create(t, owner, PersonFixture(other.ID, "Out"))
	screen := sqlstore.NewAssessmentService(e.db, e.keys, screening.DefaultConfig())
	met := &flare.Assessment{PersonID: worker.ID, Input: MetScreening("ins")}
	outside := &flare.Assessment{PersonID: stranger.ID, Input: MetScreening("out")}
	for _, a := range []*flare.Assessment{met, outside} {
		if err := screen.Screen(owner, a); err != nil {
			t.Fatal(err)
		}
	}
	svc := sqlstore.NewInspectionService(e.db, e.keys)
	newInspection := func() *flare.Inspection {
		return &flare.Inspection{CaseID: c.ID, WorksiteID: site.ID, Kind: flare.InspectionUnannounced, VisitedOn: day(2026, 4, 2),
			InspectorNames: []string{"R. Thapa", " "}, Findings: "Passports of Zk9Finding workers kept in the office safe",
			WorkersInterviewed: 14, Orders: []string{"Stop-work order", "Pay wages owed within 15 days"}, AssessmentIDs: []string{met.ID}}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*flare.Inspection)
		field string
	}{
		{"no kind", func(in *flare.Inspection) { in.Kind = "surprise" }, "kind"},
		{"no worksite", func(in *flare.Inspection) { in.WorksiteID = "" }, "worksite_id"},
		{"no date", func(in *flare.Inspection) { in.VisitedOn = time.Time{} }, "visited_on"},
		{"no inspector", func(in *flare.Inspection) { in.InspectorNames = nil }, "inspectors"},
		{"negative count", func(in *flare.Inspection) { in.WorkersInterviewed = -1 }, "workers_interviewed"},
		{"worksite of another case", func(in *flare.Inspection) { in.WorksiteID = elsewhere.ID }, "worksite_id"},
		{"screening of another case", func(in *flare.Inspection) { in.AssessmentIDs = []string{outside.ID} }, "assessment_ids"},
		{"inspector of no agency", func(in *flare.Inspection) { in.InspectorIDs = []string{worker.ID} }, "inspector_ids"},
	} {
		in := newInspection()
		tc.edit(in)
		if err := svc.CreateInspection(owner, in); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
		} else {
			wantField(t, err, tc.field)
		}
	}
	if n := CountRows(t, e.dbURL, "inspections"); n != 0 {
		t.Fatalf("refused inspections stored %d rows", n)
	}

	in := newInspection()
	if err := svc.CreateInspection(owner, in); err != nil {
		t.Fatal(err)
	}
	if in.ID == "" || in.Version != 1 || in.AgencyID != e.owner.ID || len(in.InspectorNames) != 1 {
		t.Fatalf("created %+v", in)
	}
	got, err := svc.Inspection(owner, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	diffJSON(t, "inspection", in, got)
	list, err := svc.Inspections(owner, c.ID)
	if err != nil || len(list) != 1 || list[0].Findings != in.Findings {
		t.Fatalf("list = %v, %v", list, err)
	}
	if n := rowsContaining(t, e.db, "inspections", "Zk9Finding"); n != 0 {
		t.Error("findings are stored in plaintext")
	}
	if n := recordAuditCount(t, e.db, "inspection", in.ID, audit.ActionCreate, audit.OutcomeOK); n != 1 {
		t.Errorf("create audited %d times", n)
	}
	if n := recordAuditCount(t, e.db, "inspection", in.ID, audit.ActionRead, audit.OutcomeOK); n != 2 {
		t.Errorf("reads audited %d times, want 2", n)
	}

	// Another agency sees nothing without a grant, and reads with one.
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, err := svc.Inspections(police, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("no grant: %v", err)
	}
	if _, err := svc.Inspection(police, in.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("no grant: %v", err)
	}
	if err := svc.CreateInspection(police, newInspection()); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("create without grant: %v", err)
	}
	if recordAuditCount(t, e.db, "inspection", in.ID, audit.ActionRead, audit.OutcomeDenied) != 1 {
		t.Error("refused read not audited")
	}
	if err := sqlstore.NewGrantService(e.db).ShareCase(console(), lawGrant(c.ID, e.other.ID, flare.GrantRead)); err != nil {
		t.Fatal(err)
	}
	if list, err := svc.Inspections(police, c.ID); err != nil || len(list) != 1 {
		t.Fatalf("with grant: %v, %v", list, err)
	}
	if err := svc.CreateInspection(police, newInspection()); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("create with a read grant: %v", err)
	}
}

func newProceeding(caseID string, personIDs, orgIDs []string) *flare.Proceeding {
	return &flare.Proceeding{CaseID: caseID, Kind: flare.ProceedingCriminal, Reference: "CR-12/2026", OpenedOn: day(2026, 3, 14),
		PersonIDs: personIDs, OrganisationIDs: orgIDs}
}

func testProceedings(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "PRO-1"))
	other := mustCase(t, e.db, owner, newCase(e.owner.ID, "PRO-2"))
	accused := e.create(t, owner, &flare.Person{CaseID: c.ID, Role: flare.RoleSuspectedPerpetrator})
	outsider := e.create(t, owner, &flare.Person{CaseID: other.ID, Role: flare.RoleSuspectedPerpetrator})
	org := newOrganisation(c.ID, "Sunrise Bricks")
	if err := sqlstore.NewOrganisationService(e.db).CreateOrganisation(owner, org); err != nil {
		t.Fatal(err)
	}
	svc := sqlstore.NewProceedingService(e.db, e.keys)
	for _, tc := range []struct {
		name  string
		edit  func(*flare.Proceeding)
		field string
	}{
		{"kind", func(p *flare.Proceeding) { p.Kind = "military" }, "kind"},
		{"stage of another kind", func(p *flare.Proceeding) { p.Stage = flare.StageFiled }, "stage"},
		{"outcome of another kind", func(p *flare.Proceeding) { p.Outcome = flare.OutcomeSettled }, "outcome"},
		{"no reference", func(p *flare.Proceeding) { p.Reference = " " }, "reference"},
		{"closed without date", func(p *flare.Proceeding) { p.Stage, p.Outcome = flare.StageClosed, flare.OutcomeConvicted }, "closed_on"},
		{"closed without outcome", func(p *flare.Proceeding) { d := day(2026, 9, 1); p.Stage, p.ClosedOn = flare.StageClosed, &d }, "outcome"},
		{"person of another case", func(p *flare.Proceeding) { p.PersonIDs = []string{outsider.ID} }, "person_ids"},
		{"organisation of another case", func(p *flare.Proceeding) { p.OrganisationIDs = []string{outsider.ID} }, "organisation_ids"},
		{"fine without amount", func(p *flare.Proceeding) { p.Penalties = []flare.Penalty{{Kind: flare.PenaltyFine, Currency: "NPR"}} }, "penalties[0].amount"},
		{"bad currency", func(p *flare.Proceeding) {
			p.Penalties = []flare.Penalty{{Kind: flare.PenaltyFine, Amount: 100, Currency: "XYZ"}}
		}, "penalties[0].currency"},
		{"prison without months", func(p *flare.Proceeding) { p.Penalties = []flare.Penalty{{Kind: flare.PenaltyImprisonment}} }, "penalties[0].months"},
	} {
		p := newProceeding(c.ID, []string{accused.ID}, []string{org.ID})
		tc.edit(p)
		err := svc.CreateProceeding(owner, p)
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid %s", tc.name, err, tc.field)
			continue
		}
		wantField(t, err, tc.field)
	}
	if n := CountRows(t, e.dbURL, "proceedings"); n != 0 {
		t.Fatalf("refused proceedings stored %d rows", n)
	}

	p := newProceeding(c.ID, []string{accused.ID}, []string{org.ID})
	if err := svc.CreateProceeding(owner, p); err != nil {
		t.Fatal(err)
	}
	if p.Stage != flare.StageInvestigation || p.Version != 1 || p.AgencyID != e.owner.ID || !p.Open() {
		t.Fatalf("created %+v", p)
	}
	got, err := svc.Proceeding(owner, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diffJSON(t, "proceeding", p, got)

	// Verdict with penalties, then closed; a stale version changes nothing.
	verdict, convicted := flare.StageVerdict, flare.OutcomeConvicted
	penalties := []flare.Penalty{
		{Kind: flare.PenaltyImprisonment, Months: 96, Note: "Kiln owner Zk9Penalty, concurrent sentences"},
		{Kind: flare.PenaltyFine, Amount: 150000000, Currency: "npr", Suspended: true},
	}
	up, err := svc.UpdateProceeding(owner, p.ID, flare.ProceedingUpdate{Version: 1, Stage: &verdict, Outcome: &convicted, Penalties: &penalties})
	if err != nil || up.Version != 2 || up.Stage != verdict || len(up.Penalties) != 2 || up.Penalties[1].Currency != "NPR" || up.ClosedOn != nil {
		t.Fatalf("verdict = %+v, %v", up, err)
	}
	closed := flare.StageClosed
	_, err = svc.UpdateProceeding(owner, p.ID, flare.ProceedingUpdate{Version: 1, Stage: &closed})
	wantCode(t, err, flare.ECONFLICT)
	up, err = svc.UpdateProceeding(owner, p.ID, flare.ProceedingUpdate{Version: 2, Stage: &closed})
	if err != nil || up.Open() || up.ClosedOn == nil || up.Penalties[0].Note != penalties[0].Note {
		t.Fatalf("close = %+v, %v", up, err)
	}
	got, err = svc.Proceeding(owner, p.ID)
	if err != nil || got.Penalties[0].Note != penalties[0].Note || got.Penalties[1].Amount != 150000000 || !got.Penalties[1].Suspended {
		t.Fatalf("read back = %+v, %v", got, err)
	}
	if n := rowsContaining(t, e.db, "proceeding_penalties", "Zk9Penalty"); n != 0 {
		t.Error("penalty notes are stored in plaintext")
	}
	// The statistics can count sentences without opening anything.
	var months int
	if err := RawDB(t, e.dbURL).QueryRow(`SELECT SUM(pe.months) FROM proceeding_penalties pe JOIN proceedings p ON p.id = pe.proceeding_id
		WHERE p.kind = 'criminal' AND p.outcome = 'convicted' AND pe.kind = 'imprisonment'`).Scan(&months); err != nil || months != 96 {
		t.Fatalf("months of imprisonment queried = %d, %v", months, err)
	}
	if n := recordAuditCount(t, e.db, "proceeding", p.ID, audit.ActionUpdate, audit.OutcomeOK); n != 2 {
		t.Errorf("updates audited %d times, want 2", n)
	}
}

// testProceedingGrants: a whole-case grant sees every proceeding; a grant
// limited to people sees only those against people it covers, all of them.
func testProceedingGrants(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "PRG-1"))
	a := e.create(t, owner, &flare.Person{CaseID: c.ID, Role: flare.RoleSuspectedPerpetrator})
	b := e.create(t, owner, &flare.Person{CaseID: c.ID, Role: flare.RoleSuspectedPerpetrator})
	org := newOrganisation(c.ID, "Agent Ram Manpower")
	if err := sqlstore.NewOrganisationService(e.db).CreateOrganisation(owner, org); err != nil {
		t.Fatal(err)
	}
	svc := sqlstore.NewProceedingService(e.db, e.keys)
	onlyA := newProceeding(c.ID, []string{a.ID}, nil)
	both := newProceeding(c.ID, []string{a.ID, b.ID}, nil)
	orgOnly := newProceeding(c.ID, nil, []string{org.ID})
	orgOnly.Kind = flare.ProceedingAdministrative
	for _, p := range []*flare.Proceeding{onlyA, both, orgOnly} {
		if err := svc.CreateProceeding(owner, p); err != nil {
			t.Fatal(err)
		}
	}
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, err := svc.Proceedings(police, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("no grant: %v", err)
	}
	g := lawGrant(c.ID, e.other.ID, flare.GrantRead)
	g.PersonIDs = []string{a.ID}
	grants := sqlstore.NewGrantService(e.db)
	if err := grants.ShareCase(console(), g); err != nil {
		t.Fatal(err)
	}
	list, err := svc.Proceedings(police, c.ID)
	if err != nil || len(list) != 1 || list[0].ID != onlyA.ID {
		t.Fatalf("grant of person a sees %d, %v; want only the proceeding against a alone", len(list), err)
	}
	if _, err := svc.Proceeding(police, both.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("proceeding against a and b: %v", err)
	}
	if _, err := svc.Proceeding(police, orgOnly.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("proceeding against an organisation: %v", err)
	}
	stage := flare.StageCharged
	if _, err := svc.UpdateProceeding(police, onlyA.ID, flare.ProceedingUpdate{Version: 1, Stage: &stage}); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("update with a read grant: %v", err)
	}
	if err := grants.ShareCase(console(), lawGrant(c.ID, e.other.ID, flare.GrantContribute)); err != nil {
		t.Fatal(err)
	}
	if list, err := svc.Proceedings(police, c.ID); err != nil || len(list) != 3 {
		t.Fatalf("whole-case grant sees %d, %v; want 3", len(list), err)
	}
	if _, err := svc.UpdateProceeding(police, onlyA.ID, flare.ProceedingUpdate{Version: 1, Stage: &stage}); err != nil {
		t.Fatalf("update with a contribute grant: %v", err)
	}
}

func testErasureWithoutHold(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	supervisor := actorOf(e.owner, flare.RoleSupervisor)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "ERA-1"))
	p := e.create(t, owner, PersonFixture(c.ID, "Zk9Erase"))
	if _, err := e.persons.Person(owner, p.ID); err != nil {
		t.Fatal(err)
	}
	if found, err := e.persons.FindPersons(owner, "Okafor"+"Zk9Erase"+"second"); err != nil || len(found) != 1 {
		t.Fatalf("found before erasure = %d, %v", len(found), err)
	}
	before := e.personAuditsIn(t, c.ID, p.ID, audit.ActionRead)
	if holds, err := e.persons.LegalHolds(owner, p.ID); err != nil || len(holds) != 0 {
		t.Fatalf("holds = %v, %v", holds, err)
	}
	wantField(t, e.persons.ErasePerson(supervisor, p.ID, "  "), "reason")
	if err := e.persons.ErasePerson(supervisor, p.ID, "The person's request of 2026-05-02"); err != nil {
		t.Fatalf("erase: %v", err)
	}
	got, err := e.persons.Person(owner, p.ID)
	if err != nil || got.PersonIdentity != nil || got.IdentityWithheld != flare.IdentityErased ||
		got.Gender != "" || len(got.Citizenship) != 0 || got.VictimStatus != nil || got.PrimaryLanguage != "" {
		t.Fatalf("erased person = %+v, %v", got, err)
	}
	if found, err := e.persons.FindPersons(owner, "Okafor"+"Zk9Erase"+"second"); err != nil || len(found) != 0 {
		t.Fatalf("found after erasure = %d, %v", len(found), err)
	}
	if n := CountRows(t, e.dbURL, "person_name_tokens WHERE person_id = '"+p.ID+"'"); n != 0 {
		t.Errorf("%d name tokens left", n)
	}
	// The audit entries about the person stay, and the erasure is one.
	if after := e.personAuditsIn(t, c.ID, p.ID, audit.ActionRead); len(after) < len(before) {
		t.Errorf("audit entries lost: %d before, %d after", len(before), len(after))
	}
	erased := personDeletes(t, e, c.ID, p.ID)
	if len(erased) != 1 || erased[0].Outcome != audit.OutcomeOK || erased[0].Justification != "The person's request of 2026-05-02" {
		t.Fatalf("erasure audit = %+v", erased)
	}
	// Erasing again is harmless.
	if err := e.persons.ErasePerson(supervisor, p.ID, "again"); err != nil {
		t.Fatalf("erase again: %v", err)
	}
}

func testErasureUnderHold(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	supervisor := actorOf(e.owner, flare.RoleSupervisor)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "ERA-2"))
	victim := e.create(t, owner, PersonFixture(c.ID, "Hold"))
	accused := e.create(t, owner, &flare.Person{CaseID: c.ID, Role: flare.RoleSuspectedPerpetrator})
	svc := sqlstore.NewProceedingService(e.db, e.keys)
	p := newProceeding(c.ID, []string{accused.ID}, nil)
	if err := svc.CreateProceeding(owner, p); err != nil {
		t.Fatal(err)
	}
	holds, err := e.persons.LegalHolds(owner, victim.ID)
	if err != nil || len(holds) != 1 || holds[0].ProceedingID != p.ID {
		t.Fatalf("holds = %v, %v", holds, err)
	}
	const reason = "criminal proceeding CR-12/2026 open since 2026-03-14"
	for _, who := range []*flare.Person{victim, accused} {
		err := e.persons.ErasePerson(supervisor, who.ID, "Request by letter")
		wantCode(t, err, flare.ECONFLICT)
		if !strings.Contains(flare.ErrorMessageOf(err), reason) {
			t.Fatalf("refusal %q does not give the hold's reason %q", flare.ErrorMessageOf(err), reason)
		}
		refused := personDeletes(t, e, c.ID, who.ID)
		if len(refused) != 1 || refused[0].Outcome != audit.OutcomeDenied || refused[0].Justification != "Request by letter" {
			t.Fatalf("refusal audit = %+v", refused)
		}
	}
	got, err := e.persons.Person(owner, victim.ID)
	if err != nil || got.PersonIdentity == nil || got.FirstName != "AminaHoldfirst" {
		t.Fatalf("refused erasure changed the person: %+v, %v", got, err)
	}

	// Closing the proceeding lifts the hold.
	closed, acquitted := flare.StageClosed, flare.OutcomeAcquitted
	if _, err := svc.UpdateProceeding(owner, p.ID, flare.ProceedingUpdate{Version: 1, Stage: &closed, Outcome: &acquitted}); err != nil {
		t.Fatal(err)
	}
	if holds, err := e.persons.LegalHolds(owner, victim.ID); err != nil || len(holds) != 0 {
		t.Fatalf("holds after closing = %v, %v", holds, err)
	}
	if err := e.persons.ErasePerson(supervisor, victim.ID, "Request by letter"); err != nil {
		t.Fatalf("erase after closing: %v", err)
	}
	all := personDeletes(t, e, c.ID, victim.ID)
	if len(all) != 2 || all[0].Outcome == all[1].Outcome {
		t.Fatalf("both outcomes audited: %+v", all)
	}
}

func testErasureAccess(t *testing.T, e *personEnv) {
	owner := actorOf(e.owner, flare.RoleInspector)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "ERA-3"))
	p := e.create(t, owner, PersonFixture(c.ID, "Acc"))
	wantCode(t, e.persons.ErasePerson(owner, p.ID, "tidy up"), flare.EFORBIDDEN)
	police := actorOf(e.other, flare.RoleSupervisor)
	wantCode(t, e.persons.ErasePerson(police, p.ID, "tidy up"), flare.ENOTFOUND)
	if err := sqlstore.NewGrantService(e.db).ShareCase(console(), lawGrant(c.ID, e.other.ID, flare.GrantContribute)); err != nil {
		t.Fatal(err)
	}
	wantCode(t, e.persons.ErasePerson(police, p.ID, "tidy up"), flare.EFORBIDDEN)
	if n := len(personDeletes(t, e, c.ID, p.ID)); n != 3 {
		t.Fatalf("refused erasures audited %d times, want 3", n)
	}
	if err := e.persons.ErasePerson(console(), p.ID, "Court order 77/2026"); err != nil {
		t.Fatalf("console erase: %v", err)
	}
}

// personDeletes returns the erasures of a person, done or refused, oldest
// first.
func personDeletes(t *testing.T, e *personEnv, caseID, id string) []audit.Entry {
	t.Helper()
	entries, err := e.db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: caseID, Action: audit.ActionDelete, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range entries {
		if en.RecordType == "person" && en.RecordID == id {
			out = append(out, en)
		}
	}
	slices.SortFunc(out, func(a, b audit.Entry) int { return int(a.Seq - b.Seq) })
	return out
}
