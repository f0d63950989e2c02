package flare

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// LegalBasis is why a case, or part of it, may be shared with another
// agency. Nothing is shared without one (PRODUCT.md, non-negotiables;
// security checklist R-DP4).
type LegalBasis string

// The closed list of legal bases for sharing.
const (
	// BasisLaw is a provision of law; Reference names the article.
	BasisLaw LegalBasis = "law"
	// BasisCourtOrder is an order of a court; Reference identifies it.
	BasisCourtOrder LegalBasis = "court_order"
	// BasisConsent is the person's informed consent, with its date, scope
	// and expiry.
	BasisConsent LegalBasis = "consent"
)

// Valid reports whether b is on the closed list.
func (b LegalBasis) Valid() bool { return b == BasisLaw || b == BasisCourtOrder || b == BasisConsent }

// GrantAccess is what a grant lets the receiving agency do.
type GrantAccess string

// The kinds of access a grant gives.
const (
	GrantRead       GrantAccess = "read"
	GrantContribute GrantAccess = "contribute"
)

// CaseGrant gives another agency access to a case, or to named people in it.
type CaseGrant struct {
	ID       string      `json:"id"`
	CaseID   string      `json:"case_id"`
	AgencyID string      `json:"agency_id"`
	Access   GrantAccess `json:"access"`
	// PersonIDs limits the grant to these people; empty is the whole case.
	PersonIDs []string `json:"person_ids,omitempty"`
	// FieldGroups limits the grant to these field groups of the people
	// it covers; empty is every group (issue #3: "named people and fields").
	FieldGroups []FieldGroup `json:"field_groups,omitempty"`
	Basis       LegalBasis   `json:"legal_basis"`
	// Reference is the law article or court order; for consent, who gave
	// it and how (language, interpreter).
	Reference string `json:"reference"`
	// ConsentGivenOn, ConsentLanguage, ConsentScope and ExpiresOn are
	// required for consent: informed consent is given in a language the
	// person understands (issue #6: "who gave it, when, in which language,
	// with which interpreter, its scope and expiry").
	ConsentGivenOn  *time.Time `json:"consent_given_on,omitempty"`
	ConsentLanguage string     `json:"consent_language,omitempty"`
	// ConsentInterpreter names the interpreter; empty when there was none.
	ConsentInterpreter string `json:"consent_interpreter,omitempty"`
	// ConsentPersonID is the person of the case who consented, when they
	// are recorded in it.
	ConsentPersonID string     `json:"consent_person_id,omitempty"`
	ConsentScope    string     `json:"consent_scope,omitempty"`
	ExpiresOn       *time.Time `json:"expires_on,omitempty"`
	GrantedBy       string     `json:"granted_by"`
	CreatedAt       time.Time  `json:"created_at"`
	RevokedAt       *time.Time `json:"revoked_at,omitempty"`
	// ConsentWithdrawnAt is when the person withdrew their consent; the
	// grant was revoked at that moment.
	ConsentWithdrawnAt *time.Time `json:"consent_withdrawn_at,omitempty"`
	// Referral is the referral whose acceptance created the grant.
	ReferralID string `json:"referral_id,omitempty"`
}

// Active reports whether the grant is in force on day: not revoked and not
// past its expiry.
func (g *CaseGrant) Active(day time.Time) bool {
	return g.RevokedAt == nil && (g.ExpiresOn == nil || !g.ExpiresOn.Before(DateOf(day)))
}

// Validate checks that the grant names an agency, an access and a complete
// legal basis.
func (g *CaseGrant) Validate() error {
	g.Reference = CleanLine(g.Reference)
	g.ConsentScope = CleanLine(g.ConsentScope)
	g.ConsentInterpreter = CleanLine(g.ConsentInterpreter)
	g.ConsentLanguage = strings.ToLower(strings.TrimSpace(g.ConsentLanguage))
	switch {
	case g.AgencyID == "":
		return FieldError("agency_id", "is required")
	case g.Access != GrantRead && g.Access != GrantContribute:
		return FieldError("access", "%q is not read or contribute", g.Access)
	case !g.Basis.Valid():
		return FieldError("legal_basis", "%q is not one of law, court_order, consent", g.Basis)
	case g.Reference == "":
		return FieldError("reference", "is required: the law article, the court order, or who gave consent and how")
	case utf8.RuneCountInString(g.Reference) > 500:
		return FieldError("reference", "is longer than 500 characters")
	case utf8.RuneCountInString(g.ConsentScope) > 500:
		return FieldError("consent_scope", "is longer than 500 characters")
	case utf8.RuneCountInString(g.ConsentInterpreter) > MaxNameLength:
		return FieldError("consent_interpreter", "is longer than %d characters", MaxNameLength)
	}
	if g.Basis != BasisConsent {
		if g.ConsentGivenOn != nil || g.ConsentLanguage != "" || g.ConsentInterpreter != "" || g.ConsentPersonID != "" || g.ConsentScope != "" {
			return FieldError("legal_basis", "is %s: consent fields belong to a consent basis only", g.Basis)
		}
	} else {
		switch {
		case g.ConsentGivenOn == nil:
			return FieldError("consent_given_on", "is required for consent")
		case g.ConsentLanguage == "":
			return FieldError("consent_language", "is required for consent: the language it was given in")
		case !ValidLanguageCode(g.ConsentLanguage):
			return FieldError("consent_language", "%q is not an ISO 639 language code", g.ConsentLanguage)
		case g.ConsentScope == "":
			return FieldError("consent_scope", "is required for consent")
		case g.ExpiresOn == nil:
			return FieldError("expires_on", "is required for consent")
		case g.ExpiresOn.Before(*g.ConsentGivenOn):
			return FieldError("expires_on", "is before consent_given_on")
		}
	}
	for _, fg := range g.FieldGroups {
		if !fg.Valid() {
			return FieldError("field_groups", "%q is not a field group (identity, profile)", fg)
		}
	}
	for _, p := range g.PersonIDs {
		if strings.TrimSpace(p) == "" || strings.Contains(p, ",") {
			return FieldError("person_ids", "contains an empty or malformed id")
		}
	}
	return nil
}

// GrantService shares cases between agencies.
type GrantService interface {
	// ShareCase records a grant of the case to another agency. Only its
	// owning agency's supervisors may share.
	ShareCase(ctx context.Context, g *CaseGrant) error
	// RevokeGrant ends a grant at once: the next read by the receiving
	// agency is refused.
	RevokeGrant(ctx context.Context, grantID string) error
	// WithdrawConsent records that the person withdrew the consent a grant
	// rests on, and revokes it at once (R-DP4). The owning agency or the
	// receiving one may record it: the person may tell either, and need
	// not give a reason.
	WithdrawConsent(ctx context.Context, grantID string) (*CaseGrant, error)
	// CaseGrants lists the grants of a case, active or not.
	CaseGrants(ctx context.Context, caseID string) ([]*CaseGrant, error)
}
