package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunParties checks the organisations and worksites of cases (issue #5)
// against the database dbURL names: create, read, list, versioned update
// and delete, authorisation against the case, audit in the same
// transaction, and the case list's sector filter and text search over
// them.
func RunParties(t *testing.T, dbURL string) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	t.Run("Organisations", func(t *testing.T) { testOrganisations(t, db) })
	t.Run("OrganisationAccess", func(t *testing.T) { testOrganisationAccess(t, db) })
	t.Run("Worksites", func(t *testing.T) { testWorksites(t, db) })
	t.Run("WorksiteOperatorSameCase", func(t *testing.T) { testWorksiteOperatorSameCase(t, db) })
	t.Run("PartiesConcurrentUpdate", func(t *testing.T) { testPartiesConcurrentUpdate(t, db) })
	t.Run("PartiesDelete", func(t *testing.T) { testPartiesDelete(t, db) })
	t.Run("PartiesFindCases", func(t *testing.T) { testPartiesFindCases(t, db) })
	t.Run("PartiesAuditHoldsNoValues", func(t *testing.T) { testPartiesAuditHoldsNoValues(t, db) })
}

// recordAuditCount counts the entries about one record with action and
// outcome.
func recordAuditCount(t *testing.T, db *sqlstore.DB, recordType, recordID string, action audit.Action, outcome audit.Outcome) int {
	t.Helper()
	entries, err := db.AuditEntries(context.Background(), sqlstore.AuditFilter{RecordType: recordType, RecordID: recordID, Action: action, Limit: 500})
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

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	fe, ok := err.(*flare.Error)
	if !ok || fe.Code != flare.EINVALID || fe.Fields[field] == "" {
		t.Fatalf("error = %v, want invalid %s", err, field)
	}
}

func newOrganisation(caseID, name string) *flare.Organisation {
	return &flare.Organisation{CaseID: caseID, Type: flare.OrgEmployer, Name: name, Country: "NP", City: "Bhaktapur",
		TradeNames: []string{"Sunrise Kilns"}, Registrations: []flare.RegistrationNumber{{Scheme: flare.RegCompanyRegister, Number: "CR-7781"}}}
}

func testOrganisations(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Orgs", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleInspector)
	c := mustCase(t, db, ctx, newCase(owner.ID, "ORG-1"))
	svc := sqlstore.NewOrganisationService(db)

	bad := newOrganisation(c.ID, "x")
	bad.Country = "XX"
	wantField(t, svc.CreateOrganisation(ctx, bad), "country")
	bad = newOrganisation(c.ID, " ")
	wantField(t, svc.CreateOrganisation(ctx, bad), "name")
	wantCode(t, svc.CreateOrganisation(ctx, newOrganisation("0193a000-0000-7000-8000-000000000099", "Ghost")), flare.ENOTFOUND)

	o := newOrganisation(c.ID, "Sunrise Bricks Ltd")
	o.Phone = "+977 1 4200000"
	if err := svc.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if o.ID == "" || o.Version != 1 || o.Phone != "+97714200000" {
		t.Fatalf("created %+v", o)
	}
	got, err := svc.Organisation(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", *got) != fmt.Sprintf("%+v", *o) {
		t.Fatalf("read back\n%+v\nwant\n%+v", *got, *o)
	}
	second := &flare.Organisation{CaseID: c.ID, Type: flare.OrgRecruitmentAgency, Name: "Agent Ram Manpower"}
	if err := svc.CreateOrganisation(ctx, second); err != nil {
		t.Fatal(err)
	}
	if second.TradeNames == nil || second.Registrations == nil {
		t.Error("empty lists should be empty, not nil, for JSON clients")
	}
	list, err := svc.Organisations(ctx, c.ID)
	if err != nil || len(list) != 2 || list[0].Name != "Agent Ram Manpower" {
		t.Fatalf("list = %v, %v", list, err)
	}

	name := "Sunrise Bricks Pvt Ltd"
	regs := []flare.RegistrationNumber{{Scheme: flare.RegTaxID, Number: "PAN 301 222"}}
	up, err := svc.UpdateOrganisation(ctx, o.ID, flare.OrganisationUpdate{Version: 1, Name: &name, Registrations: &regs})
	if err != nil || up.Version != 2 || up.Name != name || up.Registrations[0].Number != "PAN 301 222" || up.City != "Bhaktapur" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	stale := "Stale name"
	_, err = svc.UpdateOrganisation(ctx, o.ID, flare.OrganisationUpdate{Version: 1, Name: &stale})
	wantCode(t, err, flare.ECONFLICT)
	if fe := err.(*flare.Error); fe.Fields["version"] != "stale" {
		t.Errorf("stale update fields = %v", fe.Fields)
	}
	badType := flare.OrganisationType("ngo")
	_, err = svc.UpdateOrganisation(ctx, o.ID, flare.OrganisationUpdate{Version: 2, Type: &badType})
	wantField(t, err, "type")
	if got, _ := svc.Organisation(ctx, o.ID); got.Name != name || got.Version != 2 {
		t.Fatalf("after refused updates: %+v", got)
	}

	for _, tt := range []struct {
		action audit.Action
		want   int
	}{{audit.ActionCreate, 1}, {audit.ActionRead, 3}, {audit.ActionUpdate, 1}} {
		if n := recordAuditCount(t, db, "organisation", o.ID, tt.action, audit.OutcomeOK); n != tt.want {
			t.Errorf("%s entries = %d, want %d", tt.action, n, tt.want)
		}
	}
	updates, _ := db.AuditEntries(context.Background(), sqlstore.AuditFilter{RecordType: "organisation", RecordID: o.ID, Action: audit.ActionUpdate})
	if len(updates) != 1 || fmt.Sprint(updates[0].Fields) != "[name registration_numbers]" || updates[0].CaseID != c.ID {
		t.Errorf("update entry = %+v", updates)
	}
}

// testOrganisationAccess: the policy of the case decides, and every
// refusal is audited (security checklist R-AZ1, R-AU1).
func testOrganisationAccess(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate OrgAccess", flare.AgencyLabourInspectorate)
	police := mustAgency(t, db, "Police OrgAccess", flare.AgencyPolice)
	ngo := mustAgency(t, db, "Shelter OrgAccess", flare.AgencyNGO)
	ctx := actorOf(owner, flare.RoleInspector)
	c := mustCase(t, db, ctx, newCase(owner.ID, "ORGA-1"))
	svc := sqlstore.NewOrganisationService(db)
	o := newOrganisation(c.ID, "Harbour Fishing Co")
	if err := svc.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	officer := actorOf(police, flare.RoleInvestigator)
	_, err := svc.Organisation(officer, o.ID)
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.Organisations(officer, c.ID)
	wantCode(t, err, flare.ENOTFOUND)
	wantCode(t, svc.CreateOrganisation(officer, newOrganisation(c.ID, "Planted")), flare.ENOTFOUND)
	admin := actorOf(owner, flare.RoleAdmin)
	_, err = svc.Organisation(admin, o.ID)
	wantCode(t, err, flare.EFORBIDDEN)
	name := "Renamed"
	_, err = svc.UpdateOrganisation(admin, o.ID, flare.OrganisationUpdate{Version: 1, Name: &name})
	wantCode(t, err, flare.EFORBIDDEN)
	if n := recordAuditCount(t, db, "organisation", o.ID, audit.ActionRead, audit.OutcomeDenied); n != 2 {
		t.Errorf("denied reads = %d, want 2", n)
	}
	if n := recordAuditCount(t, db, "organisation", o.ID, audit.ActionUpdate, audit.OutcomeDenied); n != 1 {
		t.Errorf("denied updates = %d, want 1", n)
	}

	// A read grant lets the police read but not change; a grant limited to
	// named people does not cover organisations.
	grants := sqlstore.NewGrantService(db)
	if err := grants.ShareCase(actorOf(owner, flare.RoleSupervisor), lawGrant(c.ID, police.ID, flare.GrantRead)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Organisation(officer, o.ID); err != nil {
		t.Fatalf("read under a grant: %v", err)
	}
	_, err = svc.UpdateOrganisation(officer, o.ID, flare.OrganisationUpdate{Version: 1, Name: &name})
	wantCode(t, err, flare.EFORBIDDEN)
	wantCode(t, svc.CreateOrganisation(officer, newOrganisation(c.ID, "Planted")), flare.EFORBIDDEN)
	g := lawGrant(c.ID, ngo.ID, flare.GrantContribute)
	g.PersonIDs = []string{"0193a000-0000-7000-8000-000000000001"}
	if err := grants.ShareCase(actorOf(owner, flare.RoleSupervisor), g); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Organisation(actorOf(ngo, flare.RoleCaseworker), o.ID)
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.Organisation(context.Background(), o.ID)
	wantCode(t, err, flare.EUNAUTHORIZED)
}

func newWorksite(caseID, name string) *flare.Worksite {
	lat, lon := 27.6710, 85.4298
	return &flare.Worksite{CaseID: caseID, Name: name, Street: "Ring Road 12", City: "Bhaktapur", Country: "NP",
		Latitude: &lat, Longitude: &lon, ISICSection: "C", ISICDivision: "23"}
}

func testWorksites(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Sites", flare.AgencyLabourInspectorate)
	police := mustAgency(t, db, "Police Sites", flare.AgencyPolice)
	ctx := actorOf(owner, flare.RoleInspector)
	c := mustCase(t, db, ctx, newCase(owner.ID, "WS-1"))
	orgs := sqlstore.NewOrganisationService(db)
	svc := sqlstore.NewWorksiteService(db)
	o := newOrganisation(c.ID, "Kiln owner")
	if err := orgs.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	bad := newWorksite(c.ID, "Kiln")
	bad.ISICSection = "A"
	wantField(t, svc.CreateWorksite(ctx, bad), "isic_division")
	bad = newWorksite(c.ID, "Kiln")
	bad.Longitude = nil
	wantField(t, svc.CreateWorksite(ctx, bad), "longitude")

	w := newWorksite(c.ID, "Kiln No 3")
	w.OrganisationID = o.ID
	if err := svc.CreateWorksite(ctx, w); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Worksite(ctx, w.ID)
	if err != nil || got.OrganisationID != o.ID || got.Latitude == nil || *got.Latitude != 27.6710 || *got.Longitude != 85.4298 ||
		got.ISICDivision != "23" || !got.CreatedAt.Equal(w.CreatedAt) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	plain := &flare.Worksite{CaseID: c.ID, Name: "Boat", ISICDivision: "03"}
	if err := svc.CreateWorksite(ctx, plain); err != nil || plain.ISICSection != "A" {
		t.Fatalf("division alone = %v, section %q", err, plain.ISICSection)
	}
	if got, _ := svc.Worksite(ctx, plain.ID); got.Latitude != nil || got.OrganisationID != "" {
		t.Fatalf("worksite without coordinates read back %+v", got)
	}
	list, err := svc.Worksites(ctx, c.ID)
	if err != nil || len(list) != 2 || list[0].Name != "Boat" {
		t.Fatalf("list = %v, %v", list, err)
	}

	// A new section alone drops a division that cannot belong to it;
	// clearing the coordinates and the operator works.
	section, empty := "F", ""
	var none *float64
	up, err := svc.UpdateWorksite(ctx, w.ID, flare.WorksiteUpdate{Version: 1, ISICSection: &section, Latitude: &none, Longitude: &none, OrganisationID: &empty})
	if err != nil || up.Version != 2 || up.ISICSection != "F" || up.ISICDivision != "" || up.Latitude != nil || up.OrganisationID != "" {
		t.Fatalf("update = %+v, %v", up, err)
	}
	_, err = svc.UpdateWorksite(ctx, w.ID, flare.WorksiteUpdate{Version: 1, ISICSection: &section})
	wantCode(t, err, flare.ECONFLICT)
	lat := 12.5
	_, err = svc.UpdateWorksite(ctx, w.ID, flare.WorksiteUpdate{Version: 2, Latitude: &[]*float64{&lat}[0]})
	wantField(t, err, "longitude")

	_, err = svc.Worksite(actorOf(police, flare.RoleInvestigator), w.ID)
	wantCode(t, err, flare.ENOTFOUND)
	_, err = svc.Worksites(actorOf(owner, flare.RoleAnalyst), c.ID)
	wantCode(t, err, flare.EFORBIDDEN)
	for _, tt := range []struct {
		action  audit.Action
		outcome audit.Outcome
		want    int
	}{
		{audit.ActionCreate, audit.OutcomeOK, 1}, {audit.ActionRead, audit.OutcomeOK, 2},
		{audit.ActionUpdate, audit.OutcomeOK, 1}, {audit.ActionRead, audit.OutcomeDenied, 1},
	} {
		if n := recordAuditCount(t, db, "worksite", w.ID, tt.action, tt.outcome); n != tt.want {
			t.Errorf("%s/%s entries = %d, want %d", tt.action, tt.outcome, n, tt.want)
		}
	}
}

// testWorksiteOperatorSameCase: a worksite's organisation must be of the
// same case, or it would leak into a case its readers may not see.
func testWorksiteOperatorSameCase(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Operator", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleInspector)
	a := mustCase(t, db, ctx, newCase(owner.ID, "OP-1"))
	b := mustCase(t, db, ctx, newCase(owner.ID, "OP-2"))
	o := newOrganisation(a.ID, "Operator A")
	if err := sqlstore.NewOrganisationService(db).CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	svc := sqlstore.NewWorksiteService(db)
	w := newWorksite(b.ID, "Site of B")
	w.OrganisationID = o.ID
	wantField(t, svc.CreateWorksite(ctx, w), "organisation_id")
	w.OrganisationID = "not-an-id"
	wantField(t, svc.CreateWorksite(ctx, w), "organisation_id")
	w.OrganisationID = ""
	if err := svc.CreateWorksite(ctx, w); err != nil {
		t.Fatal(err)
	}
	_, err := svc.UpdateWorksite(ctx, w.ID, flare.WorksiteUpdate{Version: 1, OrganisationID: &o.ID})
	wantField(t, err, "organisation_id")
}

// testPartiesConcurrentUpdate: two editors save the same version at once;
// exactly one wins on either backend (R-CC1).
func testPartiesConcurrentUpdate(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate PartyRace", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleInspector)
	c := mustCase(t, db, ctx, newCase(owner.ID, "RACE-1"))
	orgs := sqlstore.NewOrganisationService(db)
	sites := sqlstore.NewWorksiteService(db)
	o := newOrganisation(c.ID, "Racing Co")
	w := newWorksite(c.ID, "Racing site")
	if err := orgs.CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := sites.CreateWorksite(ctx, w); err != nil {
		t.Fatal(err)
	}
	const editors = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*editors)
	for i := range editors {
		wg.Add(2)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("Name %d", i)
			_, err := orgs.UpdateOrganisation(ctx, o.ID, flare.OrganisationUpdate{Version: 1, Name: &name})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			city := fmt.Sprintf("City %d", i)
			_, err := sites.UpdateWorksite(ctx, w.ID, flare.WorksiteUpdate{Version: 1, City: &city})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		switch flare.ErrorCodeOf(err) {
		case "":
			ok++
		case flare.ECONFLICT:
		default:
			t.Errorf("concurrent update: %v", err)
		}
	}
	if ok != 2 {
		t.Fatalf("%d updates succeeded, want exactly 2 (one per record)", ok)
	}
}

// testPartiesDelete: only a supervisor deletes; an organisation operating
// a worksite is kept; a stale version is refused; deletes are audited.
func testPartiesDelete(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate PartyDelete", flare.AgencyLabourInspectorate)
	inspector := actorOf(owner, flare.RoleInspector)
	supervisor := actorOf(owner, flare.RoleSupervisor)
	c := mustCase(t, db, inspector, newCase(owner.ID, "DEL-1"))
	orgs := sqlstore.NewOrganisationService(db)
	sites := sqlstore.NewWorksiteService(db)
	o := newOrganisation(c.ID, "Deleted Co")
	if err := orgs.CreateOrganisation(inspector, o); err != nil {
		t.Fatal(err)
	}
	w := newWorksite(c.ID, "Deleted site")
	w.OrganisationID = o.ID
	if err := sites.CreateWorksite(inspector, w); err != nil {
		t.Fatal(err)
	}
	wantCode(t, orgs.DeleteOrganisation(inspector, o.ID, 1), flare.EFORBIDDEN)
	wantCode(t, orgs.DeleteOrganisation(supervisor, o.ID, 1), flare.ECONFLICT)
	wantCode(t, sites.DeleteWorksite(supervisor, w.ID, 2), flare.ECONFLICT)
	if err := sites.DeleteWorksite(supervisor, w.ID, 1); err != nil {
		t.Fatal(err)
	}
	if err := orgs.DeleteOrganisation(supervisor, o.ID, 1); err != nil {
		t.Fatal(err)
	}
	_, err := orgs.Organisation(supervisor, o.ID)
	wantCode(t, err, flare.ENOTFOUND)
	if n := recordAuditCount(t, db, "organisation", o.ID, audit.ActionDelete, audit.OutcomeOK); n != 1 {
		t.Errorf("delete entries = %d", n)
	}
	if n := recordAuditCount(t, db, "organisation", o.ID, audit.ActionDelete, audit.OutcomeDenied); n != 1 {
		t.Errorf("denied delete entries = %d", n)
	}
	if list, _ := sqlstore.NewCaseService(db).Cases(inspector, flare.CaseFilter{Text: "Deleted Co"}); len(list) != 0 {
		t.Error("a deleted organisation still finds its case")
	}
}

// testPartiesFindCases: the case list finds cases by the sector of their
// worksites and by the names, numbers and addresses of their parties,
// with the same results on both databases.
func testPartiesFindCases(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate PartySearch", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleInspector)
	fishing := mustCase(t, db, ctx, newCase(owner.ID, "FIND-1"))
	kiln := mustCase(t, db, ctx, newCase(owner.ID, "FIND-2"))
	o := &flare.Organisation{CaseID: fishing.ID, Type: flare.OrgRecruitmentAgency, Name: "Ocean Crew Placement",
		TradeNames: []string{"Mar Azul Tripulações"}, Registrations: []flare.RegistrationNumber{{Scheme: flare.RegRecruitmentLicence, Number: "RL-55019"}}}
	if err := sqlstore.NewOrganisationService(db).CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	sites := sqlstore.NewWorksiteService(db)
	if err := sites.CreateWorksite(ctx, &flare.Worksite{CaseID: fishing.ID, Name: "Vessel Estrela", City: "Itajaí", ISICDivision: "03"}); err != nil {
		t.Fatal(err)
	}
	if err := sites.CreateWorksite(ctx, newWorksite(kiln.ID, "Kiln yard")); err != nil {
		t.Fatal(err)
	}
	cases := sqlstore.NewCaseService(db)
	for _, tt := range []struct {
		filter flare.CaseFilter
		want   string
	}{
		{flare.CaseFilter{Sector: "A"}, fishing.ID},
		{flare.CaseFilter{Sector: "C"}, kiln.ID},
		{flare.CaseFilter{Text: "tripulacoes"}, fishing.ID},
		{flare.CaseFilter{Text: "ocean crew"}, fishing.ID},
		{flare.CaseFilter{Text: "RL-55019"}, fishing.ID},
		{flare.CaseFilter{Text: "itajai"}, fishing.ID},
		{flare.CaseFilter{Text: "ring road"}, kiln.ID},
	} {
		list, err := cases.Cases(ctx, tt.filter)
		if err != nil || len(list) != 1 || list[0].ID != tt.want {
			t.Errorf("Cases(%+v) = %d cases, %v; want only %s", tt.filter, len(list), err, tt.want)
		}
	}
}

// testPartiesAuditHoldsNoValues: names and addresses of parties never
// reach the audit tables (security checklist R-AU2).
func testPartiesAuditHoldsNoValues(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate PartyMarkers", flare.AgencyLabourInspectorate)
	ctx := actorOf(owner, flare.RoleInspector)
	c := mustCase(t, db, ctx, newCase(owner.ID, "PMK-1"))
	o := &flare.Organisation{CaseID: c.ID, Type: flare.OrgBuyer, Name: "Qzparty Buyer", Phone: "+15550100"}
	if err := sqlstore.NewOrganisationService(db).CreateOrganisation(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := sqlstore.NewWorksiteService(db).CreateWorksite(ctx, &flare.Worksite{CaseID: c.ID, Name: "Qzparty site", Street: "Qzstreet 1"}); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"audit_entries", "audit_hashes"} {
		for _, m := range []string{"Qzparty", "qzparty", "Qzstreet", "15550100"} {
			if n := rowsContaining(t, db, table, m); n != 0 {
				t.Errorf("%s: %d rows contain %q", table, n, m)
			}
		}
	}
}
