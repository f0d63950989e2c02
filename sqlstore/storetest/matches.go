package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// RunMatches is the conformance suite of possible matches between people
// (issue #9, in the application): the same person in two cases is proposed
// with a high probability and an explanation, an unrelated namesake lower,
// another agency's people are never proposed or read, a rejection is
// remembered and a confirmation links the two.
func RunMatches(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	svc := sqlstore.NewMatchService(e.db, e.persons)
	owner := actorOf(e.owner, flare.RoleCaseworker)
	other := mustCase(t, e.db, owner, newCase(e.owner.ID, "M-2"))
	born := time.Date(1994, 5, 17, 0, 0, 0, 0, time.UTC)
	swapped := time.Date(1994, 5, 7, 0, 0, 0, 0, time.UTC)
	person := func(caseID, first, second string, birth *time.Time, gender flare.Gender) *flare.Person {
		return e.create(t, owner, &flare.Person{CaseID: caseID, Role: flare.RolePresumedVictim, Gender: gender, Citizenship: []string{"KE"},
			PersonIdentity: &flare.PersonIdentity{FirstName: first, SecondName: second, Birthdate: birth}})
	}
	amina := person(e.c.ID, "Amina", "Okafor", &born, flare.GenderFeminine)
	same := person(other.ID, "Aminah", "Okafor", &born, flare.GenderFeminine)
	namesake := person(other.ID, "Grace", "Okafor", &swapped, flare.GenderFeminine)
	// Another agency's Amina Okafor, born the same day: never proposed.
	police := mustCase(t, e.db, actorOf(e.other, flare.RoleInvestigator), newCase(e.other.ID, "M-P"))
	hidden := e.create(t, actorOf(e.other, flare.RoleInvestigator), &flare.Person{CaseID: police.ID, Role: flare.RolePresumedVictim,
		PersonIdentity: &flare.PersonIdentity{FirstName: "Amina", SecondName: "Okafor", Birthdate: &born}})

	list, err := svc.PossibleMatches(owner, amina.ID)
	if err != nil {
		t.Fatal(err)
	}
	prob := map[string]float64{}
	for _, m := range list {
		prob[m.Person.ID] = m.Probability
		if len(m.Fields) == 0 {
			t.Fatalf("match %s without an explanation", m.Person.ID)
		}
	}
	if prob[same.ID] < 0.99 || prob[namesake.ID] >= prob[same.ID] {
		t.Fatalf("probabilities = %v: want the same person first and above 0.99", prob)
	}
	if _, ok := prob[hidden.ID]; ok {
		t.Fatal("another agency's person was proposed")
	}
	if len(e.personAudits(t, hidden.ID, "read", "ok")) != 0 {
		t.Fatal("another agency's person was read to compare")
	}

	// Rejected: never proposed again. Confirmed: shown as linked.
	if err := svc.DecideMatch(owner, amina.ID, namesake.ID, flare.MatchRejected); err != nil {
		t.Fatal(err)
	}
	if err := svc.DecideMatch(owner, amina.ID, same.ID, flare.MatchConfirmed); err != nil {
		t.Fatal(err)
	}
	list, err = svc.PossibleMatches(owner, amina.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Person.ID != same.ID || list[0].Decision != flare.MatchConfirmed {
		t.Fatalf("after the decisions: %+v", list)
	}
	for _, bad := range []struct{ other, decision string }{{same.ID, "maybe"}, {amina.ID, flare.MatchConfirmed}} {
		if err := svc.DecideMatch(owner, amina.ID, bad.other, bad.decision); flare.ErrorCodeOf(err) != flare.EINVALID {
			t.Errorf("decide %+v: %v, want invalid", bad, err)
		}
	}
	if err := svc.DecideMatch(owner, amina.ID, hidden.ID, flare.MatchConfirmed); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("linking to another agency's person: %v, want not found", err)
	}
	// Organisations: the same employer under its trade name and its
	// registered name, with the same company number.
	orgs := sqlstore.NewOrganisationService(e.db)
	mkOrg := func(ctx context.Context, caseID, name string, trade []string, number string) *flare.Organisation {
		o := &flare.Organisation{CaseID: caseID, Type: flare.OrgEmployer, Name: name, TradeNames: trade, Country: "KE", City: "Naivasha"}
		if number != "" {
			o.Registrations = []flare.RegistrationNumber{{Scheme: "company_register", Number: number}}
		}
		if err := orgs.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	roses := mkOrg(owner, e.c.ID, "Rift Valley Roses Limited", nil, "PVT-2019/4471")
	trade := mkOrg(owner, other.ID, "RV Roses", []string{"Rift Valley Roses Ltd"}, "PVT 2019 4471")
	unrelated := mkOrg(owner, other.ID, "Valley Fresh Vegetables", nil, "")
	policeOrg := mkOrg(actorOf(e.other, flare.RoleInvestigator), police.ID, "Rift Valley Roses Limited", nil, "PVT-2019/4471")
	om, err := svc.OrganisationMatches(owner, roses.ID)
	if err != nil {
		t.Fatal(err)
	}
	oprob := map[string]float64{}
	for _, m := range om {
		oprob[m.Organisation.ID] = m.Probability
	}
	if oprob[trade.ID] < 0.99 || oprob[unrelated.ID] >= oprob[trade.ID] {
		t.Fatalf("organisation probabilities = %v", oprob)
	}
	if _, ok := oprob[policeOrg.ID]; ok {
		t.Fatal("another agency's organisation was proposed")
	}
	if err := svc.DecideOrganisationMatch(owner, roses.ID, trade.ID, flare.MatchConfirmed); err != nil {
		t.Fatal(err)
	}
	if err := svc.DecideOrganisationMatch(owner, roses.ID, policeOrg.ID, flare.MatchConfirmed); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("linking to another agency's organisation: %v", err)
	}
	if om, _ := svc.OrganisationMatches(owner, roses.ID); len(om) == 0 || om[0].Organisation.ID != trade.ID || om[0].Decision != flare.MatchConfirmed {
		t.Fatalf("after confirming: %+v", om)
	}

	// An intake officer may not read identities, so may not match.
	if _, err := svc.PossibleMatches(actorOf(e.owner, flare.RoleIntake), amina.ID); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("intake matching: %v", err)
	}
}

// RunCompetentAuthority: only an agency of a competent kind records an
// identified victim (issue #7); a victim-services NGO records suspected or
// presumed, and an unchanged identified decision may be kept by anyone.
func RunCompetentAuthority(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	ngo := mustAgency(t, e.db, "Shelter NGO", flare.AgencyNGO)
	ngoCase := mustCase(t, e.db, actorOf(ngo, flare.RoleCaseworker), newCase(ngo.ID, "N-1"))
	day := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	identified := &flare.VictimStatus{Identified: &flare.StatusDecision{DecidedOn: day, DecidedBy: flare.DecidedByNGO}}
	p := &flare.Person{CaseID: ngoCase.ID, Role: flare.RolePresumedVictim, VictimStatus: identified}
	err := e.persons.CreatePerson(actorOf(ngo, flare.RoleCaseworker), p)
	if flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("an NGO recording identified: %v, want forbidden", err)
	}
	p.VictimStatus = &flare.VictimStatus{Presumed: &flare.StatusDecision{DecidedOn: day, DecidedBy: flare.DecidedByNGO}}
	e.create(t, actorOf(ngo, flare.RoleCaseworker), p)

	// The inspectorate (a competent kind) records it on its own person.
	insp := actorOf(e.owner, flare.RoleInspector)
	q := e.create(t, insp, &flare.Person{CaseID: e.c.ID, Role: flare.RolePresumedVictim})
	byInsp := &flare.VictimStatus{Identified: &flare.StatusDecision{DecidedOn: day, DecidedBy: flare.DecidedByOtherGovernment, AgencyID: e.owner.ID}}
	if _, err := e.persons.UpdatePerson(insp, q.ID, flare.PersonUpdate{Version: q.Version, VictimStatus: &byInsp}); err != nil {
		t.Fatalf("the inspectorate recording identified: %v", err)
	}
	// A narrower configuration refuses it.
	strict := sqlstore.NewPersonService(e.db, e.keys).WithCompetentAuthorities([]flare.AgencyKind{flare.AgencyProsecution})
	r := e.create(t, insp, &flare.Person{CaseID: e.c.ID, Role: flare.RolePresumedVictim})
	if _, err := strict.UpdatePerson(insp, r.ID, flare.PersonUpdate{Version: r.Version, VictimStatus: &byInsp}); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("with only prosecution competent: %v, want forbidden", err)
	}
}
