package policy

import (
	"testing"

	"github.com/flare-ilo/flare"
)

// TestDecideGroup checks every role × relation × field group × read/write
// cell of the field-group matrix (security checklist R-AZ2). Each expected
// string gives, in order, identity read, identity write, profile read,
// profile write: A allow, F forbidden (403), N not found (404).
func TestDecideGroup(t *testing.T) {
	id, prof := []flare.FieldGroup{flare.FieldGroupIdentity}, []flare.FieldGroup{flare.FieldGroupProfile}
	rels := []relation{
		{name: "owner", owner: ownAgency, person: personA},
		{name: "grantee-read-all", owner: otherAgency, person: personA, grants: []Grant{{AgencyID: ownAgency, Access: AccessRead}}},
		{name: "grantee-contribute-all", owner: otherAgency, person: personA, grants: []Grant{{AgencyID: ownAgency, Access: AccessContribute}}},
		{name: "grantee-contribute-profile", owner: otherAgency, person: personA,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessContribute, FieldGroups: prof}}},
		{name: "grantee-read-identity", owner: otherAgency, person: personA,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, FieldGroups: id}}},
		{name: "grantee-read-identity-contribute-profile", owner: otherAgency, person: personA,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, FieldGroups: id}, {AgencyID: ownAgency, Access: AccessContribute, FieldGroups: prof}}},
		{name: "grantee-person-covered-profile", owner: otherAgency, person: personA,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, PersonIDs: []string{personA}, FieldGroups: prof}}},
		{name: "grantee-person-not-covered", owner: otherAgency, person: personB,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, PersonIDs: []string{personA}}}},
		{name: "stranger", owner: otherAgency, person: personA},
	}
	worker := map[string]string{
		"owner":                      "AAAA",
		"grantee-read-all":           "AFAF",
		"grantee-contribute-all":     "AAAA",
		"grantee-contribute-profile": "FFAA",
		"grantee-read-identity":      "AFFF",
		// The identity grant is read only, the profile grant contribute:
		// each group gets what its own grant gives.
		"grantee-read-identity-contribute-profile": "AFAA",
		"grantee-person-covered-profile":           "FFAF",
		"grantee-person-not-covered":               "NNNN",
		"stranger":                                 "NNNN",
	}
	intake := map[string]string{}
	noContents := map[string]string{}
	for rel, cells := range worker {
		// Intake never sees identity; where it may act at all, profile
		// follows the worker's cells.
		switch cells[:2] {
		case "NN":
			intake[rel] = cells
			noContents[rel] = "NNNN"
		default:
			intake[rel] = "FF" + cells[2:]
			noContents[rel] = "FFFF"
		}
	}
	want := map[flare.Role]map[string]string{}
	for _, role := range flare.Roles() {
		switch role {
		case flare.RoleIntake:
			want[role] = intake
		case flare.RoleAdmin, flare.RoleAnalyst:
			want[role] = noContents
		default:
			want[role] = worker
		}
	}
	letter := map[Decision]byte{Allow: 'A', DenyForbidden: 'F', DenyNotFound: 'N'}
	for _, role := range flare.Roles() {
		for _, rel := range rels {
			actor := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{string(role)}}
			rec := Record{Type: "person", OwnerAgencyID: rel.owner, PersonID: rel.person}
			var got []byte
			for _, g := range []flare.FieldGroup{flare.FieldGroupIdentity, flare.FieldGroupProfile} {
				for _, a := range []Action{Read, Update} {
					got = append(got, letter[DecideGroup(actor, a, rec, rel.grants, g)])
				}
			}
			w := want[role][rel.name]
			if w == "" {
				t.Fatalf("no expectation for %s / %s", role, rel.name)
			}
			if string(got) != w {
				t.Errorf("%s / %s: got %s, want %s (identity r/w, profile r/w)", role, rel.name, got, w)
			}
		}
	}
}

// TestDecideGroupConsole: the console operator gets every group.
func TestDecideGroupConsole(t *testing.T) {
	rec := Record{Type: "person", OwnerAgencyID: ownAgency, PersonID: personA}
	for _, g := range flare.FieldGroups() {
		if DecideGroup(flare.Actor{Console: true}, Update, rec, nil, g) != Allow {
			t.Errorf("console denied %s", g)
		}
	}
}

// TestIntakeWithAnotherRole: a user holding intake and a role that sees
// identity sees identity.
func TestIntakeWithAnotherRole(t *testing.T) {
	actor := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{"intake", "caseworker"}}
	rec := Record{Type: "person", OwnerAgencyID: ownAgency, PersonID: personA}
	if got := ReadableGroups(actor, rec, nil); len(got) != 2 {
		t.Errorf("intake+caseworker reads %v, want both groups", got)
	}
}

func TestGroupOfCoversEveryField(t *testing.T) {
	all := append(GroupFields(flare.FieldGroupIdentity), GroupFields(flare.FieldGroupProfile)...)
	if len(all) != len(personFieldGroups) {
		t.Fatalf("groups list %d fields, map has %d", len(all), len(personFieldGroups))
	}
	for _, f := range []string{"first_name", "contact", "identity_documents", "birthdate"} {
		if g, _ := GroupOf(f); g != flare.FieldGroupIdentity {
			t.Errorf("%s in %q, want identity", f, g)
		}
	}
	if _, ok := GroupOf("nonsense"); ok {
		t.Error("an unknown field has a group")
	}
}

func TestNeedsJustification(t *testing.T) {
	for _, tc := range []struct {
		roles []string
		role  flare.PersonRole
		want  bool
	}{
		{[]string{"investigator"}, flare.RolePresumedVictim, true},
		{[]string{"prosecutor"}, flare.RolePresumedVictim, true},
		{[]string{"caseworker", "investigator"}, flare.RolePresumedVictim, true},
		{[]string{"investigator"}, flare.RoleSuspectedPerpetrator, false},
		{[]string{"investigator"}, flare.RoleWitness, false},
		{[]string{"caseworker"}, flare.RolePresumedVictim, false},
		{[]string{"inspector"}, flare.RolePresumedVictim, false},
	} {
		a := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: tc.roles}
		if got := NeedsJustification(a, tc.role); got != tc.want {
			t.Errorf("%v reading a %s: %v, want %v", tc.roles, tc.role, got, tc.want)
		}
	}
	if NeedsJustification(flare.Actor{Console: true}, flare.RolePresumedVictim) {
		t.Error("console needs a justification")
	}
}
