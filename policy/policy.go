// Package policy decides who may do what to which record. It is pure: the
// store asks it before every read or write, so the two database backends can
// never disagree about a permission.
//
// A denial comes in two kinds, because telling someone "you may not see
// this" already tells them it exists: NotFound for a record the actor may not
// know exists, Forbidden for one it may know of but not act on
// (security checklist R-AZ1).
package policy

import (
	"slices"
	"strings"

	"github.com/flare-ilo/flare"
)

// Action is what an actor wants to do to a record.
type Action string

// The actions the store asks about.
const (
	Read   Action = "read"
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	Export Action = "export"
	// Share grants another agency access to the record.
	Share Action = "share"
	// ReadAudit reads who did what to the record.
	ReadAudit Action = "read_audit"
)

// Actions returns every action, for exhaustive tests.
func Actions() []Action { return []Action{Read, Create, Update, Delete, Export, Share, ReadAudit} }

// Access is what a grant lets the receiving agency do.
type Access string

// The kinds of grant.
const (
	// AccessRead lets the receiving agency read what the grant covers.
	AccessRead Access = "read"
	// AccessContribute also lets it add to and update the case, as a
	// partner agency working a referral does.
	AccessContribute Access = "contribute"
)

// Grant is another agency's access to a case: through a referral it
// accepted, or an explicit share with a recorded legal basis. Only active
// grants (not revoked, not expired, referral not closed) are passed in.
type Grant struct {
	AgencyID string
	Access   Access
	// PersonIDs limits the grant to named people of the case; empty
	// means the whole case.
	PersonIDs []string
	// FieldGroups limits the grant to these field groups of a person;
	// empty means every group (see fields.go).
	FieldGroups []flare.FieldGroup
}

// Record is what the policy needs to know of a record: its type, the agency
// that owns it, and for a person within a case, which person.
type Record struct {
	Type          string
	OwnerAgencyID string
	// PersonID is set for records about one person of a case.
	PersonID string
}

// Decision is the outcome of Decide.
type Decision int

// The possible decisions.
const (
	// DenyNotFound denies and hides that the record exists.
	DenyNotFound Decision = iota
	// DenyForbidden denies a record the actor may know of.
	DenyForbidden
	// Allow permits the action.
	Allow
)

// String names a decision for test output.
func (d Decision) String() string {
	switch d {
	case Allow:
		return "allow"
	case DenyForbidden:
		return "forbidden"
	}
	return "not_found"
}

// caseRoles work on cases of their own agency.
var caseRoles = []flare.Role{flare.RoleIntake, flare.RoleInspector, flare.RoleInvestigator, flare.RoleProsecutor,
	flare.RoleCaseworker, flare.RoleImmigration, flare.RoleFundOfficer, flare.RoleSupervisor}

// Decide returns whether actor may perform action on rec, given the active
// grants of the case to other agencies. The rules (issue "Staff accounts,
// need-to-know access"):
//
//   - The console operator may do anything: they hold the database already.
//   - In the owning agency, case-working roles read, create and update; only
//     a supervisor deletes, exports, shares or reads the audit trail. Admins
//     and analysts see no case contents (Forbidden: they know cases exist).
//   - Another agency sees a case only through an active grant, and only the
//     people it names if it names any; a contribute grant also lets it
//     create and update. Sharing on, exporting, deleting and reading the
//     audit trail stay with the owner (Forbidden).
//   - Without a grant, another agency's record is NotFound; creating one in
//     another agency's name is Forbidden, since the actor names it.
func Decide(actor flare.Actor, action Action, rec Record, grants []Grant) Decision {
	if actor.Console {
		return Allow
	}
	if actor.AgencyID == "" || rec.OwnerAgencyID == "" {
		return DenyNotFound
	}
	works := hasAnyRole(actor, caseRoles)
	if actor.AgencyID == rec.OwnerAgencyID {
		return decideOwner(actor, action, works)
	}
	g, granted := grantFor(actor.AgencyID, rec, grants)
	if !granted {
		if action == Create {
			return DenyForbidden
		}
		return DenyNotFound
	}
	if !works {
		return DenyForbidden
	}
	switch action {
	case Read:
		return Allow
	case Create, Update:
		if g.Access == AccessContribute {
			return Allow
		}
	}
	return DenyForbidden
}

func decideOwner(actor flare.Actor, action Action, works bool) Decision {
	if !works {
		return DenyForbidden
	}
	switch action {
	case Read, Create, Update:
		return Allow
	}
	if hasAnyRole(actor, []flare.Role{flare.RoleSupervisor}) {
		return Allow
	}
	return DenyForbidden
}

// grantFor finds the grant of agency that covers rec.
func grantFor(agencyID string, rec Record, grants []Grant) (Grant, bool) {
	var best Grant
	found := false
	for _, g := range grants {
		if g.AgencyID != agencyID {
			continue
		}
		if len(g.PersonIDs) > 0 && (rec.PersonID == "" || !slices.Contains(g.PersonIDs, rec.PersonID)) {
			continue
		}
		if !found || g.Access == AccessContribute {
			best, found = g, true
		}
	}
	return best, found
}

func hasAnyRole(actor flare.Actor, roles []flare.Role) bool {
	for _, r := range actor.Roles {
		if slices.Contains(roles, flare.Role(r)) {
			return true
		}
	}
	return false
}

// Error turns a denial into the application error the adapters map to 404
// or 403; it returns nil for Allow.
func Error(d Decision, rec Record) error {
	if d == Allow {
		return nil
	}
	// Messages are read by people: "protection service", not the
	// record type's "protection_service".
	what := strings.ReplaceAll(rec.Type, "_", " ")
	if d == DenyForbidden {
		return flare.Errorf(flare.EFORBIDDEN, "you may not do this to this %s", what)
	}
	return flare.Errorf(flare.ENOTFOUND, "%s not found", what)
}

// DecideUserAdmin returns whether actor may manage the staff accounts of
// agencyID: create users, unlock and disable them. Only an admin of that
// same agency may (security checklist R-AZ7); others of the agency know its
// users exist (Forbidden), other agencies do not (NotFound).
func DecideUserAdmin(actor flare.Actor, agencyID string) Decision {
	if actor.Console {
		return Allow
	}
	if actor.AgencyID == "" || agencyID == "" || actor.AgencyID != agencyID {
		return DenyNotFound
	}
	if hasAnyRole(actor, []flare.Role{flare.RoleAdmin}) {
		return Allow
	}
	return DenyForbidden
}
