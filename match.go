package flare

import (
	"context"
	"time"
)

// PersonMatch is another record that may be the same person (issue #9):
// its probability and, per compared field, the weight it added, so that
// the user sees why it is proposed.
type PersonMatch struct {
	Person      *Person      `json:"person"`
	Probability float64      `json:"probability"`
	Fields      []MatchField `json:"fields"`
	// Decision is "confirmed" for a linked record, "" for a proposal.
	Decision string `json:"decision,omitempty"`
}

// MatchField is one field's part in a match: the level of agreement and
// its weight (log2 of m/u; positive for evidence of a match).
type MatchField struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"`
	Weight float64 `json:"weight"`
}

// The decisions on a possible match.
const (
	MatchConfirmed = "confirmed"
	MatchRejected  = "rejected"
)

// OrganisationMatch is another organisation record that may be the same
// employer, recruiter or buyer (issue #9).
type OrganisationMatch struct {
	Organisation *Organisation `json:"organisation"`
	Probability  float64       `json:"probability"`
	Fields       []MatchField  `json:"fields"`
	Decision     string        `json:"decision,omitempty"`
}

// PersonLink is a decision on a pair of people.
type PersonLink struct {
	PersonA, PersonB string
	Decision         string
	DecidedBy        string
	DecidedAt        time.Time
}

// MatchService proposes and records matches between people. It never
// proposes, compares or reveals a record the actor may not read.
type MatchService interface {
	// PossibleMatches returns the records that may be the same person as
	// personID, most probable first, and the records confirmed as linked.
	PossibleMatches(ctx context.Context, personID string) ([]PersonMatch, error)
	// DecideMatch records that otherID is (confirmed) or is not (rejected)
	// the same person as personID.
	DecideMatch(ctx context.Context, personID, otherID, decision string) error
	// OrganisationMatches and DecideOrganisationMatch do the same for
	// organisations.
	OrganisationMatches(ctx context.Context, orgID string) ([]OrganisationMatch, error)
	DecideOrganisationMatch(ctx context.Context, orgID, otherID, decision string) error
}
