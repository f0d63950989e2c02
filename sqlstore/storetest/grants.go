package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// actorOf is the context of a user of agency a holding roles.
func actorOf(a *flare.Agency, roles ...flare.Role) context.Context {
	r := make([]string, len(roles))
	for i, x := range roles {
		r[i] = string(x)
	}
	return flare.WithActor(context.Background(), flare.Actor{UserID: "u-" + a.ID[:8], AgencyID: a.ID, Roles: r})
}

func lawGrant(caseID, agencyID string, access flare.GrantAccess) *flare.CaseGrant {
	return &flare.CaseGrant{CaseID: caseID, AgencyID: agencyID, Access: access, Basis: flare.BasisLaw,
		Reference: "Anti-Trafficking Act, art. 12(3)"}
}

// testGrants: another agency sees a case only through an active grant, does
// only what the grant allows, and loses access the moment it is revoked or
// expires (security checklist R-AZ1, R-DP4).
func testGrants(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate Grants", flare.AgencyLabourInspectorate)
	police := mustAgency(t, db, "Police Grants", flare.AgencyPolice)
	cases := sqlstore.NewCaseService(db)
	grants := sqlstore.NewGrantService(db)
	c := mustCase(t, db, actorOf(owner, flare.RoleInspector), newCase(owner.ID, "G-1"))
	supervisor := actorOf(owner, flare.RoleSupervisor)
	inspector := actorOf(owner, flare.RoleInspector)
	officer := actorOf(police, flare.RoleInvestigator)

	if _, err := cases.Case(officer, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("read before any grant = %v, want not found", err)
	}
	wantCode(t, grants.ShareCase(inspector, lawGrant(c.ID, police.ID, flare.GrantRead)), flare.EFORBIDDEN)
	wantCode(t, grants.ShareCase(officer, lawGrant(c.ID, police.ID, flare.GrantRead)), flare.ENOTFOUND)
	noExpiry := lawGrant(c.ID, police.ID, flare.GrantRead)
	noExpiry.Basis, noExpiry.ConsentScope, noExpiry.ConsentLanguage = flare.BasisConsent, "the case", "en"
	given := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	noExpiry.ConsentGivenOn = &given
	wantCode(t, grants.ShareCase(supervisor, noExpiry), flare.EINVALID)
	wantCode(t, grants.ShareCase(supervisor, lawGrant(c.ID, owner.ID, flare.GrantRead)), flare.EINVALID)

	g := lawGrant(c.ID, police.ID, flare.GrantRead)
	if err := grants.ShareCase(supervisor, g); err != nil {
		t.Fatalf("share: %v", err)
	}
	if got, err := cases.Case(officer, c.ID); err != nil || got.ID != c.ID {
		t.Fatalf("read through grant = %v", err)
	}
	list, err := cases.Cases(officer, flare.CaseFilter{})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Fatalf("police list = %v, %v; want the shared case", list, err)
	}
	title := "Changed by police"
	_, err = cases.UpdateCase(officer, c.ID, flare.CaseUpdate{Version: c.Version, Title: &title})
	wantCode(t, err, flare.EFORBIDDEN)
	_, err = grants.CaseGrants(officer, c.ID)
	wantCode(t, err, flare.EFORBIDDEN)

	if err := grants.RevokeGrant(supervisor, g.ID); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if _, err := cases.Case(officer, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("read after revocation = %v, want not found", err)
	}
	if list, _ := cases.Cases(officer, flare.CaseFilter{}); len(list) != 0 {
		t.Fatalf("shared case still listed after revocation")
	}

	// A contribute grant lets the partner update.
	contribute := lawGrant(c.ID, police.ID, flare.GrantContribute)
	if err := grants.ShareCase(supervisor, contribute); err != nil {
		t.Fatal(err)
	}
	if _, err := cases.UpdateCase(officer, c.ID, flare.CaseUpdate{Version: c.Version, Title: &title}); err != nil {
		t.Fatalf("update through contribute grant: %v", err)
	}
	all, err := grants.CaseGrants(supervisor, c.ID)
	if err != nil || len(all) != 2 || all[0].RevokedAt == nil || all[1].RevokedAt != nil || all[1].Reference == "" {
		t.Fatalf("grants = %+v, %v", all, err)
	}
	grants.RevokeGrant(supervisor, contribute.ID)

	// Consent with an expiry: access ends after the expiry date.
	consent := lawGrant(c.ID, police.ID, flare.GrantRead)
	consent.Basis, consent.ConsentScope, consent.Reference = flare.BasisConsent, "identity and statement", "the worker, orally"
	consent.ConsentLanguage, consent.ConsentInterpreter = "tl", "N. Reyes"
	today := flare.DateOf(time.Now())
	consent.ConsentGivenOn, consent.ExpiresOn = &today, &today
	if err := grants.ShareCase(supervisor, consent); err != nil {
		t.Fatalf("consent share: %v", err)
	}
	if _, err := cases.Case(officer, c.ID); err != nil {
		t.Fatalf("read on the expiry day: %v", err)
	}
	db.SetClock(func() time.Time { return time.Now().Add(48 * time.Hour) })
	defer db.SetClock(time.Now)
	if _, err := cases.Case(officer, c.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("read after consent expired = %v, want not found", err)
	}
}

// testPersonGrantHidesCase: a grant naming people does not open the case
// record itself.
func testPersonGrantHidesCase(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate PG", flare.AgencyLabourInspectorate)
	ngo := mustAgency(t, db, "Shelter PG", flare.AgencyNGO)
	c := mustCase(t, db, actorOf(owner, flare.RoleInspector), newCase(owner.ID, "PG-1"))
	g := lawGrant(c.ID, ngo.ID, flare.GrantRead)
	g.PersonIDs = []string{"0193a000-0000-7000-8000-000000000001"}
	if err := sqlstore.NewGrantService(db).ShareCase(actorOf(owner, flare.RoleSupervisor), g); err != nil {
		t.Fatal(err)
	}
	worker := actorOf(ngo, flare.RoleCaseworker)
	_, err := sqlstore.NewCaseService(db).Case(worker, c.ID)
	wantCode(t, err, flare.ENOTFOUND)
	if list, _ := sqlstore.NewCaseService(db).Cases(worker, flare.CaseFilter{}); len(list) != 0 {
		t.Fatal("person-scoped grant listed the whole case")
	}
}

// testNoContentRoles: admins and analysts of the owning agency know cases
// exist but see none (403, not 404).
func testNoContentRoles(t *testing.T, db *sqlstore.DB) {
	owner := mustAgency(t, db, "Inspectorate NC", flare.AgencyLabourInspectorate)
	c := mustCase(t, db, actorOf(owner, flare.RoleInspector), newCase(owner.ID, "NC-1"))
	for _, role := range []flare.Role{flare.RoleAdmin, flare.RoleAnalyst} {
		ctx := actorOf(owner, role)
		_, err := sqlstore.NewCaseService(db).Case(ctx, c.ID)
		wantCode(t, err, flare.EFORBIDDEN)
		_, err = sqlstore.NewCaseService(db).Cases(ctx, flare.CaseFilter{})
		wantCode(t, err, flare.EFORBIDDEN)
		wantCode(t, sqlstore.NewCaseService(db).CreateCase(ctx, newCase(owner.ID, "NC-"+string(role))), flare.EFORBIDDEN)
	}
}
