package policy

import (
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

const (
	ownAgency   = "agency-own"
	otherAgency = "agency-other"
	personA     = "person-a"
	personB     = "person-b"
)

// relation is how the acting user's agency stands to the record.
type relation struct {
	name   string
	grants []Grant
	owner  string
	person string
}

func relations() []relation {
	return []relation{
		{name: "owner", owner: ownAgency},
		{name: "grantee-read", owner: otherAgency, grants: []Grant{{AgencyID: ownAgency, Access: AccessRead}}},
		{name: "grantee-contribute", owner: otherAgency, grants: []Grant{{AgencyID: ownAgency, Access: AccessContribute}}},
		{name: "grantee-person-covered", owner: otherAgency, person: personA,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, PersonIDs: []string{personA}}}},
		{name: "grantee-person-not-covered", owner: otherAgency, person: personB,
			grants: []Grant{{AgencyID: ownAgency, Access: AccessRead, PersonIDs: []string{personA}}}},
		{name: "grant-to-third-agency", owner: otherAgency, grants: []Grant{{AgencyID: "agency-third", Access: AccessContribute}}},
		{name: "stranger", owner: otherAgency},
	}
}

// expected is the access matrix as the issue states it, written out cell by
// cell: for each role and relation, the decision of every action in the
// order of Actions() (read, create, update, delete, export, share,
// read_audit): A allow, F forbidden (403), N not found (404).
func expected() map[flare.Role]map[string]string {
	worker := map[string]string{
		"owner":                      "AAAFFFF",
		"grantee-read":               "AFFFFFF",
		"grantee-contribute":         "AAAFFFF",
		"grantee-person-covered":     "AFFFFFF",
		"grantee-person-not-covered": "NFNNNNN",
		"grant-to-third-agency":      "NFNNNNN",
		"stranger":                   "NFNNNNN",
	}
	noContents := map[string]string{
		"owner":                      "FFFFFFF",
		"grantee-read":               "FFFFFFF",
		"grantee-contribute":         "FFFFFFF",
		"grantee-person-covered":     "FFFFFFF",
		"grantee-person-not-covered": "NFNNNNN",
		"grant-to-third-agency":      "NFNNNNN",
		"stranger":                   "NFNNNNN",
	}
	supervisor := map[string]string{
		"owner":                      "AAAAAAA",
		"grantee-read":               "AFFFFFF",
		"grantee-contribute":         "AAAFFFF",
		"grantee-person-covered":     "AFFFFFF",
		"grantee-person-not-covered": "NFNNNNN",
		"grant-to-third-agency":      "NFNNNNN",
		"stranger":                   "NFNNNNN",
	}
	return map[flare.Role]map[string]string{
		flare.RoleAdmin:        noContents,
		flare.RoleAnalyst:      noContents,
		flare.RoleIntake:       worker,
		flare.RoleInspector:    worker,
		flare.RoleInvestigator: worker,
		flare.RoleProsecutor:   worker,
		flare.RoleCaseworker:   worker,
		flare.RoleImmigration:  worker,
		flare.RoleFundOfficer:  worker,
		flare.RoleSupervisor:   supervisor,
	}
}

// TestDecisionMatrix checks every cell of role x relation x action
// (security checklist R-AZ1).
func TestDecisionMatrix(t *testing.T) {
	want := expected()
	cells := 0
	for _, role := range flare.Roles() {
		rows, ok := want[role]
		if !ok {
			t.Fatalf("role %q has no row in the matrix", role)
		}
		for _, rel := range relations() {
			row, ok := rows[rel.name]
			if !ok || len(row) != len(Actions()) {
				t.Fatalf("role %q relation %q: bad expectation %q", role, rel.name, row)
			}
			actor := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{string(role)}}
			rec := Record{Type: "case", OwnerAgencyID: rel.owner, PersonID: rel.person}
			var got strings.Builder
			for _, action := range Actions() {
				got.WriteString(strings.ToUpper(Decide(actor, action, rec, rel.grants).String()[:1]))
				cells++
			}
			if got.String() != row {
				t.Errorf("%s/%s: got %s, want %s (actions %v)", role, rel.name, got.String(), row, Actions())
			}
		}
	}
	if cells != len(flare.Roles())*len(relations())*len(Actions()) {
		t.Fatalf("checked %d cells", cells)
	}
}

func TestDecideSpecialActors(t *testing.T) {
	tests := []struct {
		name  string
		actor flare.Actor
		rec   Record
		want  Decision
	}{
		{"console reads another agency's case", flare.Actor{Console: true}, Record{Type: "case", OwnerAgencyID: otherAgency}, Allow},
		{"user without agency", flare.Actor{UserID: "u", Roles: []string{"supervisor"}}, Record{Type: "case", OwnerAgencyID: ownAgency}, DenyNotFound},
		{"record without owner", flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{"supervisor"}}, Record{Type: "case"}, DenyNotFound},
		{"no roles", flare.Actor{UserID: "u", AgencyID: ownAgency}, Record{Type: "case", OwnerAgencyID: ownAgency}, DenyForbidden},
		{"unknown role", flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{"root"}}, Record{Type: "case", OwnerAgencyID: ownAgency}, DenyForbidden},
		{"admin who is also inspector", flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{"admin", "inspector"}}, Record{Type: "case", OwnerAgencyID: ownAgency}, Allow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.actor, Read, tt.rec, nil); got != tt.want {
				t.Errorf("Decide = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPersonScopedGrantDoesNotOpenTheCase(t *testing.T) {
	actor := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{"caseworker"}}
	grants := []Grant{{AgencyID: ownAgency, Access: AccessContribute, PersonIDs: []string{personA}}}
	// The case record itself (no person) is not covered by a grant that
	// names people.
	if got := Decide(actor, Read, Record{Type: "case", OwnerAgencyID: otherAgency}, grants); got != DenyNotFound {
		t.Errorf("whole case through a person grant = %v, want not_found", got)
	}
	if got := Decide(actor, Update, Record{Type: "person", OwnerAgencyID: otherAgency, PersonID: personA}, grants); got != Allow {
		t.Errorf("update named person through contribute grant = %v, want allow", got)
	}
}

func TestError(t *testing.T) {
	rec := Record{Type: "case"}
	if err := Error(Allow, rec); err != nil {
		t.Errorf("Allow gave %v", err)
	}
	for d, code := range map[Decision]flare.ErrorCode{DenyNotFound: flare.ENOTFOUND, DenyForbidden: flare.EFORBIDDEN} {
		if got := flare.ErrorCodeOf(Error(d, rec)); got != code {
			t.Errorf("%v code = %q, want %q", d, got, code)
		}
	}
}

func TestDecideUserAdmin(t *testing.T) {
	for _, role := range flare.Roles() {
		actor := flare.Actor{UserID: "u", AgencyID: ownAgency, Roles: []string{string(role)}}
		want := DenyForbidden
		if role == flare.RoleAdmin {
			want = Allow
		}
		if got := DecideUserAdmin(actor, ownAgency); got != want {
			t.Errorf("%s managing own agency's users = %v, want %v", role, got, want)
		}
		if got := DecideUserAdmin(actor, otherAgency); got != DenyNotFound {
			t.Errorf("%s managing another agency's users = %v, want not_found", role, got)
		}
	}
	if DecideUserAdmin(flare.Actor{Console: true}, otherAgency) != Allow {
		t.Error("console refused")
	}
}
