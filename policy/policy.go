// Package policy decides who may do what to which record. It is pure: the
// store asks it before every read or write, so the two database backends can
// never disagree about a permission.
//
// A denial comes in two kinds, because telling someone "you may not see
// this" already tells them it exists: NotFound for a record the actor may not
// know exists, Forbidden for one it may know of but not act on
// (security checklist R-AZ1).
package policy

import "github.com/flare-ilo/flare"

// Action is what an actor wants to do to a record.
type Action string

// The actions the store asks about.
const (
	Read   Action = "read"
	Create Action = "create"
	Update Action = "update"
)

// Record is what the policy needs to know of a record: its type and the
// agency that owns it.
type Record struct {
	Type          string
	OwnerAgencyID string
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

// Decide returns whether actor may perform action on rec.
//
// The rules so far: the console operator may do anything (they hold the
// database file already); a user acts only on records of their own agency;
// a record of another agency is not known to them, and they may not create
// one in another agency's name. Grants through referral
// and legal basis, and per-role limits, extend this function.
func Decide(actor flare.Actor, action Action, rec Record) Decision {
	if actor.Console {
		return Allow
	}
	if actor.AgencyID == "" || rec.OwnerAgencyID == "" {
		return DenyNotFound
	}
	if actor.AgencyID == rec.OwnerAgencyID {
		return Allow
	}
	if action == Create {
		// The actor names the other agency itself, so nothing is hidden
		// by refusing plainly.
		return DenyForbidden
	}
	return DenyNotFound
}

// Error turns a denial into the application error the adapters map to 404
// or 403; it returns nil for Allow.
func Error(d Decision, rec Record) error {
	switch d {
	case Allow:
		return nil
	case DenyForbidden:
		return flare.Errorf(flare.EFORBIDDEN, "you may not do this to this %s", rec.Type)
	default:
		return flare.Errorf(flare.ENOTFOUND, "%s not found", rec.Type)
	}
}
