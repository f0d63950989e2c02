package storetest

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// protectionEnv is a person environment with a victim-services agency and
// the protection service.
type protectionEnv struct {
	*personEnv
	svc      *sqlstore.ProtectionService
	services *flare.Agency
}

func pday(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// RunProtection is the conformance suite of protection (issue #6): services
// and periods stored and read back, refused input storing nothing, default
// lengths, extensions as history, a period expiring, the "ending soon"
// list through the policy, the decision deadlines on the person, every
// read and write audited, and the free text sealed at rest.
func RunProtection(t *testing.T, dbURL string) {
	pe := newPersonEnv(t, dbURL)
	e := &protectionEnv{personEnv: pe, svc: sqlstore.NewProtectionService(pe.db, pe.keys, flare.DefaultProtectionConfig()),
		services: mustAgency(t, pe.db, "Victim Services Protection", flare.AgencyVictimServices)}
	// The store's today: periods and deadlines are computed against it.
	e.db.SetClock(func() time.Time { return time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC) })
	t.Run("Services", func(t *testing.T) { testProtectionServices(t, e) })
	t.Run("Periods", func(t *testing.T) { testProtectionPeriods(t, e) })
	t.Run("ConcurrentExtensions", func(t *testing.T) { testProtectionConcurrentExtensions(t, e) })
	t.Run("Ending", func(t *testing.T) { testProtectionEnding(t, e) })
	t.Run("Deadlines", func(t *testing.T) { testProtectionDeadlines(t, e) })
	t.Run("Erased", func(t *testing.T) { testProtectionErased(t, e) })
	t.Run("Audit", func(t *testing.T) { testProtectionAudit(t, e) })
	t.Run("SealedAtRest", func(t *testing.T) { testProtectionSealed(t, e) })
}

func testProtectionServices(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, owner, PersonFixture(e.c.ID, "Svc"))
	shelter := &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceShelter, AgencyID: e.services.ID, Provider: "Safe House North",
		StartedOn: pday(2026, 3, 20), Outcome: "Settled in; Yq4Marker"}
	if err := e.svc.RecordService(owner, shelter); err != nil {
		t.Fatalf("record: %v", err)
	}
	if shelter.ID == "" || shelter.CaseID != e.c.ID || shelter.RecordedAgencyID != e.owner.ID || shelter.Version != 1 || shelter.RecordedBy == "" {
		t.Fatalf("recorded = %+v", shelter)
	}
	medical := &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceMedical, Provider: "District hospital",
		StartedOn: pday(2026, 3, 25), EndedOn: ptrTime(pday(2026, 3, 26))}
	if err := e.svc.RecordService(owner, medical); err != nil {
		t.Fatalf("record medical: %v", err)
	}

	before := countRows(t, RawDB(t, e.dbURL), "protection_services")
	for name, tc := range map[string]struct {
		s     flare.ProvidedService
		field string
	}{
		"unknown kind":       {flare.ProvidedService{PersonID: p.ID, Kind: "spa", Provider: "x", StartedOn: pday(2026, 3, 1)}, "kind"},
		"nobody delivered":   {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, StartedOn: pday(2026, 3, 1)}, "provider"},
		"no start":           {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, Provider: "x"}, "started_on"},
		"end before start":   {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, Provider: "x", StartedOn: pday(2026, 3, 2), EndedOn: ptrTime(pday(2026, 3, 1))}, "ended_on"},
		"no such agency":     {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, AgencyID: "01900000-0000-7000-8000-000000000000", StartedOn: pday(2026, 3, 1)}, "agency_id"},
		"agency not an id":   {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, AgencyID: "police", StartedOn: pday(2026, 3, 1)}, "agency_id"},
		"wrong century date": {flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, Provider: "x", StartedOn: pday(206, 3, 1)}, "started_on"},
	} {
		s := tc.s
		err := e.svc.RecordService(owner, &s)
		if flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
			continue
		}
		var fe *flare.Error
		if errors.As(err, &fe); fe.Fields[tc.field] == "" {
			t.Errorf("%s: fields %v, want %s", name, fe.Fields, tc.field)
		}
	}
	if countRows(t, RawDB(t, e.dbURL), "protection_services") != before {
		t.Fatal("a refused service stored a row")
	}

	list, err := e.svc.PersonServices(owner, p.ID)
	if err != nil || len(list) != 2 || list[0].ID != medical.ID || list[1].Outcome != shelter.Outcome || list[1].AgencyID != e.services.ID {
		t.Fatalf("list = %d, %v", len(list), err)
	}
	if !list[1].Ongoing(e.today()) || list[0].Ongoing(e.today()) {
		t.Fatal("ongoing: the shelter runs, the medical visit ended")
	}

	// Ending the shelter with its outcome, on the version read.
	end, outcome := ptrTime(pday(2026, 3, 31)), "Moved to a family; Yq4Marker"
	upd, err := e.svc.UpdateService(owner, shelter.ID, flare.ServiceUpdate{Version: 1, EndedOn: &end, Outcome: &outcome})
	if err != nil || upd.Version != 2 || !upd.EndedOn.Equal(*end) || upd.Outcome != outcome {
		t.Fatalf("update = %+v, %v", upd, err)
	}
	if _, err := e.svc.UpdateService(owner, shelter.ID, flare.ServiceUpdate{Version: 1, Outcome: &outcome}); flare.ErrorCodeOf(err) != flare.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	early := ptrTime(pday(2026, 3, 1))
	if _, err := e.svc.UpdateService(owner, shelter.ID, flare.ServiceUpdate{Version: 2, EndedOn: &early}); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("end before start: %v", err)
	}

	// Need-to-know: another agency without a grant does not know the
	// person; an analyst of the owner may not read services.
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, err := e.svc.PersonServices(police, p.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police list: %v", err)
	}
	if _, err := e.svc.UpdateService(police, shelter.ID, flare.ServiceUpdate{Version: 2, Outcome: &outcome}); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police update: %v", err)
	}
	if _, err := e.svc.PersonServices(actorOf(e.owner, flare.RoleAnalyst), p.ID); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("analyst list: %v", err)
	}
}

func (e *protectionEnv) today() time.Time { return pday(2026, 4, 1) }

func ptrTime(t time.Time) *time.Time { return &t }

func testProtectionPeriods(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, owner, PersonFixture(e.c.ID, "Per"))

	// Without an end, the configured length: 30 days for recovery, 180
	// for a residence permit, the start day counted.
	rec := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 20)}
	if err := e.svc.StartPeriod(owner, rec); err != nil {
		t.Fatalf("start: %v", err)
	}
	if !rec.EndsOn.Equal(pday(2026, 4, 18)) || rec.AgencyID != e.owner.ID || rec.DaysLeft != 17 || rec.Ended {
		t.Fatalf("recovery period = %v, agency %s, %d days left", rec.EndsOn, rec.AgencyID, rec.DaysLeft)
	}
	permit := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodResidence, StartsOn: pday(2026, 3, 1), AgencyID: e.services.ID,
		Reference: "RP-2026-Wk8Marker"}
	if err := e.svc.StartPeriod(owner, permit); err != nil || !permit.EndsOn.Equal(pday(2026, 8, 27)) {
		t.Fatalf("permit = %v, %v", permit.EndsOn, err)
	}
	// A period whose end is past shows as ended.
	old := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 1, 1), EndsOn: pday(2026, 1, 30)}
	if err := e.svc.StartPeriod(owner, old); err != nil || !old.Ended || old.DaysLeft >= 0 {
		t.Fatalf("old period = %+v, %v", old, err)
	}

	before := countRows(t, RawDB(t, e.dbURL), "protection_periods")
	for name, bad := range map[string]flare.ProtectionPeriod{
		"kind":           {PersonID: p.ID, Kind: "asylum", StartsOn: pday(2026, 3, 1)},
		"starts_on":      {PersonID: p.ID, Kind: flare.PeriodRecovery},
		"ends_on":        {PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 1), EndsOn: pday(2026, 2, 1)},
		"agency_id":      {PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 1), AgencyID: "01900000-0000-7000-8000-000000000000"},
		"agency_id bad":  {PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 1), AgencyID: "nope"},
		"person_id none": {Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 1)},
	} {
		if err := e.svc.StartPeriod(owner, &bad); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if countRows(t, RawDB(t, e.dbURL), "protection_periods") != before {
		t.Fatal("a refused period stored a row")
	}

	// Extensions: history appended, the end is the last one's.
	ext, err := e.svc.ExtendPeriod(owner, rec.ID, rec.Version, &flare.PeriodExtension{EndsOn: pday(2026, 5, 10), Reason: "In hospital; Vb2Marker"})
	if err != nil || !ext.EndsOn.Equal(pday(2026, 5, 10)) || len(ext.Extensions) != 1 || ext.Version != 2 || !ext.InitialEndsOn.Equal(pday(2026, 4, 18)) {
		t.Fatalf("extend = %+v, %v", ext, err)
	}
	if _, err := e.svc.ExtendPeriod(owner, rec.ID, 0, &flare.PeriodExtension{EndsOn: pday(2026, 5, 31), Reason: "Court date"}); err != nil {
		t.Fatalf("second extension: %v", err)
	}
	for name, bad := range map[string]*flare.PeriodExtension{
		"not later":  {EndsOn: pday(2026, 5, 31), Reason: "same"},
		"no reason":  {EndsOn: pday(2026, 6, 30)},
		"no end":     {Reason: "x"},
		"shortening": {EndsOn: pday(2026, 4, 30), Reason: "x"},
	} {
		if _, err := e.svc.ExtendPeriod(owner, rec.ID, 0, bad); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := e.svc.ExtendPeriod(owner, rec.ID, 1, &flare.PeriodExtension{EndsOn: pday(2026, 7, 1), Reason: "x"}); flare.ErrorCodeOf(err) != flare.ECONFLICT {
		t.Fatalf("extension on a stale version: %v", err)
	}
	list, err := e.svc.PersonPeriods(owner, p.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("periods = %d, %v", len(list), err)
	}
	got := list[0]
	if got.ID != rec.ID || !got.EndsOn.Equal(pday(2026, 5, 31)) || len(got.Extensions) != 2 || got.Extensions[0].Reason != "In hospital; Vb2Marker" ||
		got.Extensions[1].AgencyID != e.owner.ID || got.Extensions[1].ExtendedBy == "" || got.Version != 3 {
		t.Fatalf("read back = %+v", got)
	}
	if list[1].Reference != "RP-2026-Wk8Marker" || list[1].AgencyID != e.services.ID {
		t.Fatalf("permit read back = %+v", list[1])
	}
	if _, err := e.svc.ExtendPeriod(actorOf(e.other, flare.RoleInvestigator), rec.ID, 0, &flare.PeriodExtension{EndsOn: pday(2026, 7, 1), Reason: "x"}); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police extending: %v", err)
	}
	if _, err := e.svc.ExtendPeriod(owner, "01900000-0000-7000-8000-000000000000", 0, &flare.PeriodExtension{EndsOn: pday(2026, 7, 1), Reason: "x"}); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("no such period: %v", err)
	}
}

// testProtectionConcurrentExtensions: two extensions of the same version at
// once: one is kept, the other is a conflict, never lost silently.
func testProtectionConcurrentExtensions(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, owner, PersonFixture(e.c.ID, "Conc"))
	rec := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 20)}
	if err := e.svc.StartPeriod(owner, rec); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.svc.ExtendPeriod(owner, rec.ID, rec.Version, &flare.PeriodExtension{EndsOn: pday(2026, 5, 10+i), Reason: "x"})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch flare.ErrorCodeOf(err) {
		case "":
			ok++
		case flare.ECONFLICT:
		default:
			if !isBusy(err) {
				t.Fatalf("concurrent extension: %v", err)
			}
		}
	}
	list, err := e.svc.PersonPeriods(owner, p.ID)
	if err != nil || ok != 1 || len(list[0].Extensions) != 1 || !list[0].EndsOn.Equal(list[0].Extensions[0].EndsOn) {
		t.Fatalf("after two concurrent extensions: %d kept, %+v, %v", ok, list, err)
	}
}

// isBusy reports a SQLite writer lock timeout, which a concurrent writer
// may meet instead of a conflict; nothing is written either way.
func isBusy(err error) bool {
	return err != nil && (containsMarker([]byte(err.Error()), "SQLITE_BUSY") || containsMarker([]byte(err.Error()), "database is locked"))
}

// testProtectionEnding: the list of periods ending soon belongs to the
// responsible agency, and goes through the policy: the responsible agency
// sees only the people its grant covers.
func testProtectionEnding(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "PE-1"))
	a := e.create(t, owner, PersonFixture(c.ID, "EndA"))
	b := e.create(t, owner, PersonFixture(c.ID, "EndB"))
	start := func(p *flare.Person, ends time.Time) *flare.ProtectionPeriod {
		pp := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodResidence, StartsOn: pday(2026, 1, 1), EndsOn: ends, AgencyID: e.services.ID}
		if err := e.svc.StartPeriod(owner, pp); err != nil {
			t.Fatal(err)
		}
		return pp
	}
	soonA := start(a, pday(2026, 4, 10))  // in 9 days
	start(b, pday(2026, 4, 5))            // in 4 days, but B is not shared
	laterA := start(a, pday(2026, 4, 25)) // in 24 days
	start(a, pday(2026, 3, 31))           // ended yesterday

	vs := actorOf(e.services, flare.RoleCaseworker)
	if list, err := e.svc.PeriodsEnding(vs, 0); err != nil || len(list) != 0 {
		t.Fatalf("before any grant: %d, %v; want none", len(list), err)
	}
	g := lawGrant(c.ID, e.services.ID, flare.GrantRead)
	g.PersonIDs = []string{a.ID}
	if err := sqlstore.NewGrantService(e.db).ShareCase(actorOf(e.owner, flare.RoleSupervisor), g); err != nil {
		t.Fatalf("share: %v", err)
	}
	// The grant names A: B's records stay unknown to the grantee.
	if _, err := e.svc.PersonPeriods(vs, b.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("grantee reading B's periods: %v", err)
	}
	if _, err := e.svc.PersonServices(vs, b.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("grantee reading B's services: %v", err)
	}
	if _, err := e.svc.PersonServices(vs, a.ID); err != nil {
		t.Fatalf("grantee reading A's services: %v", err)
	}
	list, err := e.svc.PeriodsEnding(vs, 0)
	if err != nil || len(list) != 1 || list[0].ID != soonA.ID || list[0].DaysLeft != 9 {
		t.Fatalf("ending in 14 days = %+v, %v; want A's period only", list, err)
	}
	list, err = e.svc.PeriodsEnding(vs, 30)
	if err != nil || len(list) != 2 || list[1].ID != laterA.ID {
		t.Fatalf("ending in 30 days = %d, %v", len(list), err)
	}
	// The owner records the periods but is not responsible for them.
	if list, err := e.svc.PeriodsEnding(owner, 30); err != nil || len(list) != 0 {
		t.Fatalf("the owner's list = %d, %v; want none", len(list), err)
	}
	for _, n := range []int{-1, flare.MaxEndingDays + 1} {
		if _, err := e.svc.PeriodsEnding(vs, n); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Fatalf("days %d: %v", n, err)
		}
	}
	// An analyst of the responsible agency reads no case contents.
	if list, err := e.svc.PeriodsEnding(actorOf(e.services, flare.RoleAnalyst), 30); err != nil || len(list) != 0 {
		t.Fatalf("analyst = %d, %v", len(list), err)
	}

	// The period expires: ten days on, A's first period has ended and
	// leaves the list; read on the person, it shows as ended.
	e.db.SetClock(func() time.Time { return time.Date(2026, 4, 11, 8, 0, 0, 0, time.UTC) })
	defer e.db.SetClock(func() time.Time { return time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC) })
	list, err = e.svc.PeriodsEnding(vs, 15)
	if err != nil || len(list) != 1 || list[0].ID != laterA.ID || list[0].DaysLeft != 14 {
		t.Fatalf("ending after the first expired = %+v, %v", list, err)
	}
	all, err := e.svc.PersonPeriods(vs, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.ID == soonA.ID && (!p.Ended || p.DaysLeft != -1) {
			t.Fatalf("expired period = ended %v, %d days left", p.Ended, p.DaysLeft)
		}
	}
}

// testProtectionErased: once the person is erased (their data key
// destroyed), their services and periods still read, without their
// sealed text, and nothing more can be added.
func testProtectionErased(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, owner, PersonFixture(e.c.ID, "Era"))
	ps := &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServicePsychological, Provider: "Clinic", StartedOn: pday(2026, 3, 1), Outcome: "Sessions weekly"}
	if err := e.svc.RecordService(owner, ps); err != nil {
		t.Fatal(err)
	}
	pp := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodResidence, StartsOn: pday(2026, 3, 1), Reference: "RP-1"}
	if err := e.svc.StartPeriod(owner, pp); err != nil {
		t.Fatal(err)
	}
	if err := e.persons.ErasePerson(actorOf(e.owner, flare.RoleSupervisor), p.ID, "The person's request"); err != nil {
		t.Fatalf("erase: %v", err)
	}
	services, err := e.svc.PersonServices(owner, p.ID)
	if err != nil || len(services) != 1 || services[0].Outcome != "" || services[0].Kind != flare.ServicePsychological {
		t.Fatalf("services after erasure = %+v, %v", services, err)
	}
	periods, err := e.svc.PersonPeriods(owner, p.ID)
	if err != nil || len(periods) != 1 || periods[0].Reference != "" {
		t.Fatalf("periods after erasure = %+v, %v", periods, err)
	}
	err = e.svc.RecordService(owner, &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceShelter, Provider: "x", StartedOn: pday(2026, 3, 1)})
	if flare.ErrorCodeOf(err) != flare.ECONFLICT {
		t.Fatalf("recording for an erased person: %v", err)
	}
	if _, err := e.svc.ExtendPeriod(owner, pp.ID, 0, &flare.PeriodExtension{EndsOn: pday(2027, 3, 1), Reason: "x"}); flare.ErrorCodeOf(err) != flare.ECONFLICT {
		t.Fatalf("extending for an erased person: %v", err)
	}
}

// testProtectionDeadlines: the victim-status deadlines, computed on read
// and never stored, with the deciding agency recorded.
func testProtectionDeadlines(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	// Suspected on Friday 13 March 2026: five working days later is
	// Friday 20 March; today (1 April) it is overdue.
	p := e.create(t, owner, &flare.Person{CaseID: e.c.ID, Role: flare.RolePresumedVictim,
		VictimStatus: &flare.VictimStatus{Suspected: &flare.StatusDecision{DecidedOn: pday(2026, 3, 13), DecidedBy: flare.DecidedByNGO}}})
	got, err := e.persons.Person(owner, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := got.VictimStatus.DecisionDeadlines
	if d == nil || !d.FirstDecisionDue.Equal(pday(2026, 3, 20)) || !d.FirstDecisionOverdue || d.ConclusiveDecisionFrom != nil {
		t.Fatalf("deadlines = %+v", d)
	}
	if got.VictimStatus.Suspected.AgencyID != e.owner.ID {
		t.Fatalf("deciding agency = %q, want the recording agency", got.VictimStatus.Suspected.AgencyID)
	}
	var stored string
	if err := RawDB(t, e.dbURL).QueryRow(`SELECT victim_status FROM persons WHERE id = $1`, p.ID).Scan(&stored); err != nil ||
		containsMarker([]byte(stored), "first_decision") {
		t.Fatalf("stored status = %s, %v; deadlines must not be stored", stored, err)
	}

	// Presumed on 20 March: not overdue; the conclusive decision from
	// 30 days later. The suspected stage, sent again without its agency
	// (as the form does), keeps it.
	vs := &flare.VictimStatus{Suspected: &flare.StatusDecision{DecidedOn: pday(2026, 3, 13), DecidedBy: flare.DecidedByNGO},
		Presumed: &flare.StatusDecision{DecidedOn: pday(2026, 3, 20), DecidedBy: flare.DecidedByOtherGovernment}}
	got, err = e.persons.UpdatePerson(owner, p.ID, flare.PersonUpdate{Version: got.Version, VictimStatus: &vs})
	if err != nil {
		t.Fatal(err)
	}
	d = got.VictimStatus.DecisionDeadlines
	if d == nil || d.FirstDecisionOverdue || !d.ConclusiveDecisionFrom.Equal(pday(2026, 4, 19)) ||
		got.VictimStatus.Suspected.AgencyID != e.owner.ID || got.VictimStatus.Presumed.AgencyID != e.owner.ID {
		t.Fatalf("after presumed: %+v", got.VictimStatus)
	}

	// A recorded recovery period, extended, moves the conclusive date.
	rec := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 20)}
	if err := e.svc.StartPeriod(owner, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ExtendPeriod(owner, rec.ID, 0, &flare.PeriodExtension{EndsOn: pday(2026, 5, 10), Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	list, err := e.persons.CasePersons(owner, e.c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range list {
		if q.ID == p.ID && (q.VictimStatus.DecisionDeadlines == nil || !q.VictimStatus.ConclusiveDecisionFrom.Equal(pday(2026, 5, 11))) {
			t.Fatalf("conclusive after the extended period = %+v", q.VictimStatus.DecisionDeadlines)
		}
	}

	// A configuration of 10 working days and a 45-day period.
	cfg := flare.DefaultProtectionConfig()
	cfg.FirstDecisionWorkingDays, cfg.RecoveryPeriodDays = 10, 45
	other := sqlstore.NewPersonService(e.db, e.keys).WithProtection(cfg)
	q := e.create(t, owner, &flare.Person{CaseID: e.c.ID, Role: flare.RolePresumedVictim,
		VictimStatus: &flare.VictimStatus{Suspected: &flare.StatusDecision{DecidedOn: pday(2026, 3, 13), DecidedBy: flare.DecidedByNGO},
			Presumed: &flare.StatusDecision{DecidedOn: pday(2026, 3, 20), DecidedBy: flare.DecidedByNGO}}})
	got, err = other.Person(owner, q.ID)
	if err != nil || !got.VictimStatus.FirstDecisionDue.Equal(pday(2026, 3, 27)) || !got.VictimStatus.ConclusiveDecisionFrom.Equal(pday(2026, 5, 4)) {
		t.Fatalf("configured deadlines = %+v, %v", got.VictimStatus.DecisionDeadlines, err)
	}
}

// testProtectionAudit: every read and write of the records is in the
// audit trail, refusals too.
func testProtectionAudit(t *testing.T, e *protectionEnv) {
	owner := actorOf(e.owner, flare.RoleCaseworker)
	c := mustCase(t, e.db, owner, newCase(e.owner.ID, "PA-1"))
	p := e.create(t, owner, PersonFixture(c.ID, "Aud"))
	ps := &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceLegalAid, Provider: "Bar pro bono", StartedOn: pday(2026, 3, 1)}
	if err := e.svc.RecordService(owner, ps); err != nil {
		t.Fatal(err)
	}
	pp := &flare.ProtectionPeriod{PersonID: p.ID, Kind: flare.PeriodRecovery, StartsOn: pday(2026, 3, 25)}
	if err := e.svc.StartPeriod(owner, pp); err != nil {
		t.Fatal(err)
	}
	out := "done"
	if _, err := e.svc.UpdateService(owner, ps.ID, flare.ServiceUpdate{Version: 1, Outcome: &out}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ExtendPeriod(owner, pp.ID, 0, &flare.PeriodExtension{EndsOn: pday(2026, 6, 1), Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PersonServices(owner, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.PersonPeriods(owner, p.ID); err != nil {
		t.Fatal(err)
	}
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, err := e.svc.PersonPeriods(police, p.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatal(err)
	}
	if err := e.svc.RecordService(police, &flare.ProvidedService{PersonID: p.ID, Kind: flare.ServiceMedical, Provider: "x", StartedOn: pday(2026, 3, 1)}); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatal(err)
	}
	entries, err := e.db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: c.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, en := range entries {
		if en.RecordType == "protection_service" || en.RecordType == "protection_period" {
			counts[en.RecordType+"/"+string(en.Action)+"/"+string(en.Outcome)]++
		}
	}
	want := map[string]int{
		"protection_service/create/ok": 1, "protection_service/update/ok": 1, "protection_service/read/ok": 1,
		"protection_period/create/ok": 1, "protection_period/update/ok": 1, "protection_period/read/ok": 1,
		"protection_period/read/denied": 1, "protection_service/create/denied": 1,
	}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("audit %s = %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
}

// testProtectionSealed: a service's outcome, a permit's reference and an
// extension's reason are nowhere in plaintext at rest; the kind, stored in
// plaintext, is the control that the search sees.
func testProtectionSealed(t *testing.T, e *protectionEnv) {
	env := &vaultEnv{dbURL: e.dbURL, db: e.db, raw: openVaultRaw(t, e.db.Backend(), e.dbURL), keys: e.keys,
		keyFile: filepath.Join(t.TempDir(), "unused")}
	for name, dump := range env.dumps(t) {
		if !containsMarker(dump, "reflection_recovery") {
			t.Fatalf("%s: the plaintext control is not found: the search is blind", name)
		}
		for _, m := range []string{"Yq4Marker", "Wk8Marker", "Vb2Marker"} {
			if containsMarker(dump, m) {
				t.Errorf("%s holds %q in plaintext", name, m)
			}
		}
	}
}
