package flare

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// AgencyKind is what an agency does in the national response; it decides
// which referrals it can receive and what its users may see.
type AgencyKind string

// The kinds of agency Flare knows. The list follows the actors the ILO
// experts' conclusions (2013) name: inspection (¶15, ¶17), law enforcement
// and justice (¶18, ¶21), victim protection (¶12), immigration (¶20),
// compensation (¶14), national coordination (¶22) and the social partners and
// civil society (¶7).
const (
	AgencyLabourInspectorate    AgencyKind = "labour_inspectorate"
	AgencyPolice                AgencyKind = "police"
	AgencyProsecution           AgencyKind = "prosecution"
	AgencyJudiciary             AgencyKind = "judiciary"
	AgencyVictimServices        AgencyKind = "victim_services"
	AgencyImmigration           AgencyKind = "immigration"
	AgencyCompensationFund      AgencyKind = "compensation_fund"
	AgencyNationalCoordinator   AgencyKind = "national_coordinator"
	AgencyNGO                   AgencyKind = "ngo"
	AgencyTradeUnion            AgencyKind = "trade_union"
	AgencyEmployersOrganisation AgencyKind = "employers_organisation"
)

// AgencyKinds returns every valid kind, in a stable order for forms and help.
func AgencyKinds() []AgencyKind {
	return []AgencyKind{
		AgencyLabourInspectorate, AgencyPolice, AgencyProsecution, AgencyJudiciary,
		AgencyVictimServices, AgencyImmigration, AgencyCompensationFund,
		AgencyNationalCoordinator, AgencyNGO, AgencyTradeUnion, AgencyEmployersOrganisation,
	}
}

// Valid reports whether k is one of AgencyKinds.
func (k AgencyKind) Valid() bool {
	for _, v := range AgencyKinds() {
		if k == v {
			return true
		}
	}
	return false
}

// MaxNameLength bounds names and titles so that one form cannot fill a disk.
const MaxNameLength = 200

// Agency is an organisation that takes part in the national response and
// whose users work in Flare. Every case is owned by one agency.
type Agency struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Kind      AgencyKind `json:"kind"`
	CreatedAt time.Time  `json:"created_at"`
}

// Validate normalises the agency's text fields and checks them.
func (a *Agency) Validate() error {
	a.Name = CleanLine(a.Name)
	if a.Name == "" {
		return FieldError("name", "is required")
	}
	if utf8.RuneCountInString(a.Name) > MaxNameLength {
		return FieldError("name", "is longer than %d characters", MaxNameLength)
	}
	if !a.Kind.Valid() {
		return FieldError("kind", "%q is not one of %s", a.Kind, joinKinds())
	}
	return nil
}

func joinKinds() string {
	kinds := AgencyKinds()
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// AgencyService manages agencies.
type AgencyService interface {
	// CreateAgency stores a new agency and sets its ID and CreatedAt.
	// A name already in use is a conflict.
	CreateAgency(ctx context.Context, a *Agency) error
	// Agency returns one agency by ID.
	Agency(ctx context.Context, id string) (*Agency, error)
	// AgencyByName returns one agency by its exact name.
	AgencyByName(ctx context.Context, name string) (*Agency, error)
	// Agencies returns every agency ordered by name.
	Agencies(ctx context.Context) ([]*Agency, error)
}

// DefaultCompetentAuthorities are the kinds of agency that may record a
// person as an identified victim when the operator configures none
// (issue #7: "only a competent authority records identified"). Which body
// is competent is a country's law: the default is the state authorities
// that take such decisions in most national referral mechanisms, and
// `flare serve --competent-authorities` replaces it.
func DefaultCompetentAuthorities() []AgencyKind {
	return []AgencyKind{AgencyLabourInspectorate, AgencyPolice, AgencyProsecution, AgencyJudiciary, AgencyImmigration,
		AgencyNationalCoordinator}
}
