package policy

import (
	"slices"

	"github.com/flare-ilo/flare"
)

// Field groups (security checklist R-AZ2). A person's fields fall in
// groups, and access is decided per group on top of Decide's decision on
// the record:
//
//   - identity (names, birthdate, contact, identity documents): in the
//     owning agency, every case-working role except intake, which sorts
//     reports and has no need to know who someone is; another agency only
//     when its grant covers the identity group.
//   - profile (role in the case, gender, age, citizenship, languages,
//     victim status): whoever may act on the person record.
//
// Police and prosecution (investigator, prosecutor) reading a victim's
// identity must also say why (issue #3, audit trail): see
// NeedsJustification.

// personFieldGroups maps each field of a person, by its JSON name, to its
// group.
var personFieldGroups = map[string]flare.FieldGroup{
	"first_name":         flare.FieldGroupIdentity,
	"middle_name":        flare.FieldGroupIdentity,
	"second_name":        flare.FieldGroupIdentity,
	"birthdate":          flare.FieldGroupIdentity,
	"contact":            flare.FieldGroupIdentity,
	"identity_documents": flare.FieldGroupIdentity,
	"role":               flare.FieldGroupProfile,
	"gender":             flare.FieldGroupProfile,
	"age_years":          flare.FieldGroupProfile,
	"age_estimated":      flare.FieldGroupProfile,
	"citizenship":        flare.FieldGroupProfile,
	"primary_language":   flare.FieldGroupProfile,
	"secondary_language": flare.FieldGroupProfile,
	"victim_status":      flare.FieldGroupProfile,
}

// GroupOf returns the field group of a person field, and false for a name
// that is not a person field.
func GroupOf(field string) (flare.FieldGroup, bool) {
	g, ok := personFieldGroups[field]
	return g, ok
}

// GroupFields returns the person fields of group g, sorted.
func GroupFields(g flare.FieldGroup) []string {
	var out []string
	for f, fg := range personFieldGroups {
		if fg == g {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// DecideGroup returns whether actor may perform action (Read, Create or
// Update) on field group g of the person rec, given the case's active
// grants. It is never more than Decide allows on the record itself.
func DecideGroup(actor flare.Actor, action Action, rec Record, grants []Grant, g flare.FieldGroup) Decision {
	d := Decide(actor, action, rec, grants)
	if d != Allow || actor.Console {
		return d
	}
	if g == flare.FieldGroupIdentity && !hasAnyRole(actor, identityRoles) {
		return DenyForbidden
	}
	if actor.AgencyID == rec.OwnerAgencyID {
		return Allow
	}
	for _, gr := range grants {
		if gr.AgencyID != actor.AgencyID || !coversPerson(gr, rec) {
			continue
		}
		if action != Read && gr.Access != AccessContribute {
			continue
		}
		if len(gr.FieldGroups) == 0 || slices.Contains(gr.FieldGroups, g) {
			return Allow
		}
	}
	return DenyForbidden
}

// identityRoles are the case-working roles that may see who a person is:
// all but intake.
var identityRoles = []flare.Role{flare.RoleInspector, flare.RoleInvestigator, flare.RoleProsecutor,
	flare.RoleCaseworker, flare.RoleImmigration, flare.RoleFundOfficer, flare.RoleSupervisor}

func coversPerson(g Grant, rec Record) bool {
	return len(g.PersonIDs) == 0 || (rec.PersonID != "" && slices.Contains(g.PersonIDs, rec.PersonID))
}

// ReadableGroups returns the field groups actor may read of rec.
func ReadableGroups(actor flare.Actor, rec Record, grants []Grant) []flare.FieldGroup {
	var out []flare.FieldGroup
	for _, g := range flare.FieldGroups() {
		if DecideGroup(actor, Read, rec, grants, g) == Allow {
			out = append(out, g)
		}
	}
	return out
}

// NeedsJustification reports whether actor must give a reason to read the
// identity of a person with this role: police and prosecution reading a
// presumed victim's identity (issue #3, audit trail; checklist R-AU2).
func NeedsJustification(actor flare.Actor, role flare.PersonRole) bool {
	return !actor.Console && role == flare.RolePresumedVictim &&
		hasAnyRole(actor, []flare.Role{flare.RoleInvestigator, flare.RoleProsecutor})
}
