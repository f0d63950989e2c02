package html

import "github.com/flare-ilo/flare"

// ReferralLine is one referral on a page, with its agencies named.
type ReferralLine struct {
	*flare.Referral
	// Page lets the line's template translate.
	Page
	FromName, ToName string
	// Incoming says the referral is to the viewer's agency; only then may
	// it be accepted or declined.
	Incoming bool
	// People is how many people it shares; 0 is the whole case.
	People int
	// CanWithdraw says a withdrawal of consent may still be recorded.
	CanWithdraw bool
	// Back is the page its forms return to.
	Back string
}

// ReferralsView is the referral page of an agency: what waits for its
// answer, what it sent, and what was answered.
type ReferralsView struct {
	Page
	Waiting  []ReferralLine
	Sent     []ReferralLine
	Answered []ReferralLine
	// DeclineID, DeclineReason and DeclineError keep a refused decline
	// form next to its referral.
	DeclineID, DeclineReason, DeclineError string
}

// PersonChoice is a person offered in a form, by label.
type PersonChoice struct {
	ID, Label string
}

// ReferralForm is what was typed in the referral form.
type ReferralForm struct {
	ToAgencyID, Purpose, DueOn string
	Urgent                     bool
	Access                     string
	// Scope is "case" (the whole case) or "people" (PersonIDs only).
	Scope     string
	PersonIDs map[string]bool
	Groups    map[string]bool
	Basis     string
	Reference string
	// The consent fields, for the consent basis.
	ConsentGivenOn, ConsentLanguage, ConsentInterpreter, ConsentPersonID, ConsentScope, ExpiresOn string
}

// ReferralFormView is the page that refers a case to another agency.
type ReferralFormView struct {
	Page
	Case     *flare.Case
	Agencies []*flare.Agency
	People   []PersonChoice
	Groups   []flare.FieldGroup
	Bases    []flare.LegalBasis
	Form     ReferralForm
	// Errors maps field names to messages after a refusal.
	Errors       map[string]string
	ErrorMessage string
}

// GrantLine is one grant of a case on its page.
type GrantLine struct {
	*flare.CaseGrant
	AgencyName string
	Active     bool
	People     int
}

// SharingSection is the referrals and grants of a case on its page.
type SharingSection struct {
	// Shown is false when the viewer may not see the case's sharing (a
	// grantee) or the server has no referral service.
	Shown     bool
	CaseID    string
	Referrals []ReferralLine
	// Grants are listed for those who may share (supervisors).
	ShowGrants bool
	Grants     []GrantLine
}

// RefusedView says why an action was refused (a referral a colleague
// already answered, consent already withdrawn) and links back.
type RefusedView struct {
	Page
	Message string
	BackURL string
}
