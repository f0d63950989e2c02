package storetest

import (
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
	// An intake officer may not read identities, so may not match.
	if _, err := svc.PossibleMatches(actorOf(e.owner, flare.RoleIntake), amina.ID); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("intake matching: %v", err)
	}
}
