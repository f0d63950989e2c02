package storetest

import (
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

// consentReferral is a referral of case caseID to agency to, resting on
// the consent of person personID.
func consentReferral(caseID, to, personID string, given time.Time) *flare.Referral {
	expires := given.AddDate(1, 0, 0)
	return &flare.Referral{CaseID: caseID, ToAgencyID: to, Purpose: "Shelter and medical care", DueOn: given.AddDate(0, 0, 3),
		Grant: flare.CaseGrant{Access: flare.GrantRead, PersonIDs: []string{personID}, Basis: flare.BasisConsent,
			Reference: "Given orally after the rights were read", ConsentGivenOn: &given, ConsentLanguage: "sw",
			ConsentInterpreter: "Interpreter on the national roster", ConsentPersonID: personID,
			ConsentScope: "shelter placement and medical care", ExpiresOn: &expires}}
}

// RunConsent: sharing on a person's informed consent records who gave it,
// when, in which language, with which interpreter, its scope and expiry;
// withdrawing it ends the sharing at once, and the receiving agency's next
// read is refused (security checklist R-DP4; issue #6).
func RunConsent(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	clock := NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	e.db.SetClock(clock.Now)
	refs, grants := sqlstore.NewReferralService(e.db), sqlstore.NewGrantService(e.db)
	insp, police := actorOf(e.owner, flare.RoleInspector), actorOf(e.other, flare.RoleInvestigator)
	stranger := actorOf(mustAgency(t, e.db, "Consent stranger", flare.AgencyVictimServices), flare.RoleCaseworker)
	victim := e.create(t, insp, PersonFixture(e.c.ID, "CO"))

	t.Run("AcceptedThenWithdrawn", func(t *testing.T) {
		r := consentReferral(e.c.ID, e.other.ID, victim.ID, clock.Now())
		if err := refs.SendReferral(insp, r); err != nil {
			t.Fatalf("send: %v", err)
		}
		accepted, err := refs.AcceptReferral(police, r.ID)
		if err != nil {
			t.Fatalf("accept: %v", err)
		}
		if _, err := e.persons.Person(police, victim.ID); err != nil {
			t.Fatalf("police read the consenting person: %v", err)
		}
		all, err := grants.CaseGrants(actorOf(e.owner, flare.RoleSupervisor), e.c.ID)
		if err != nil || len(all) != 1 {
			t.Fatalf("grants = %v, %v", all, err)
		}
		g := all[0]
		if g.ConsentLanguage != "sw" || g.ConsentInterpreter == "" || g.ConsentPersonID != victim.ID || g.ReferralID != r.ID ||
			g.ConsentScope == "" || g.ExpiresOn == nil || g.ConsentGivenOn == nil {
			t.Fatalf("the grant lost the consent's details: %+v", g)
		}
		wantCode(t, errOf(refs.WithdrawConsent(stranger, r.ID)), flare.ENOTFOUND)
		// The receiving agency hears it from the person and records it.
		got, err := refs.WithdrawConsent(police, accepted.ID)
		if err != nil || got.ConsentWithdrawnAt == nil || got.Status != flare.ReferralAccepted {
			t.Fatalf("withdraw = %+v, %v", got, err)
		}
		if _, err := e.persons.Person(police, victim.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
			t.Fatalf("police read after withdrawal = %v, want not found", err)
		}
		wantCode(t, errOf(refs.WithdrawConsent(insp, r.ID)), flare.ECONFLICT)
		all, _ = grants.CaseGrants(actorOf(e.owner, flare.RoleSupervisor), e.c.ID)
		if all[0].RevokedAt == nil || all[0].ConsentWithdrawnAt == nil {
			t.Fatalf("the grant is not revoked: %+v", all[0])
		}
	})

	t.Run("WithdrawnBeforeAnswer", func(t *testing.T) {
		r := consentReferral(e.c.ID, e.other.ID, victim.ID, clock.Now())
		if err := refs.SendReferral(insp, r); err != nil {
			t.Fatalf("send: %v", err)
		}
		got, err := refs.WithdrawConsent(insp, r.ID)
		if err != nil || got.Status != flare.ReferralWithdrawn {
			t.Fatalf("withdraw = %+v, %v", got, err)
		}
		wantCode(t, errOf(refs.AcceptReferral(police, r.ID)), flare.ECONFLICT)
		if _, err := e.persons.Person(police, victim.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
			t.Fatalf("police read a withdrawn referral's person: %v", err)
		}
	})

	t.Run("DirectGrant", func(t *testing.T) {
		g := consentReferral(e.c.ID, e.other.ID, victim.ID, clock.Now()).Grant
		g.CaseID, g.AgencyID = e.c.ID, e.other.ID
		if err := grants.ShareCase(actorOf(e.owner, flare.RoleSupervisor), &g); err != nil {
			t.Fatalf("share: %v", err)
		}
		if _, err := e.persons.Person(police, victim.ID); err != nil {
			t.Fatalf("police read under consent: %v", err)
		}
		if _, err := grants.WithdrawConsent(insp, g.ID); err != nil {
			t.Fatalf("withdraw: %v", err)
		}
		if _, err := e.persons.Person(police, victim.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
			t.Fatalf("police read after withdrawal = %v, want not found", err)
		}
		law := lawGrant(e.c.ID, e.other.ID, flare.GrantRead)
		if err := grants.ShareCase(actorOf(e.owner, flare.RoleSupervisor), law); err != nil {
			t.Fatal(err)
		}
		wantCode(t, errOf(grants.WithdrawConsent(insp, law.ID)), flare.ECONFLICT)
		wantCode(t, errOf(grants.WithdrawConsent(stranger, law.ID)), flare.ENOTFOUND)
		if err := grants.RevokeGrant(actorOf(e.owner, flare.RoleSupervisor), law.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("BadConsent", func(t *testing.T) {
		for name, change := range map[string]func(r *flare.Referral){
			"no language":        func(r *flare.Referral) { r.Grant.ConsentLanguage = "" },
			"not a language":     func(r *flare.Referral) { r.Grant.ConsentLanguage = "swahili" },
			"no scope":           func(r *flare.Referral) { r.Grant.ConsentScope = "" },
			"no expiry":          func(r *flare.Referral) { r.Grant.ExpiresOn = nil },
			"person not in case": func(r *flare.Referral) { r.Grant.ConsentPersonID = e.owner.ID },
			"shared stranger":    func(r *flare.Referral) { r.Grant.PersonIDs = []string{e.other.ID} },
			"consent on law": func(r *flare.Referral) {
				r.Grant.Basis = flare.BasisLaw
			},
		} {
			r := consentReferral(e.c.ID, e.other.ID, victim.ID, clock.Now())
			change(r)
			if err := refs.SendReferral(insp, r); flare.ErrorCodeOf(err) != flare.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
	})
}

// errOf keeps the error of a two-valued call.
func errOf[T any](_ T, err error) error { return err }
