package html

import "github.com/flare-ilo/flare"

// MatchesView is the possible matches of a person (issue #9).
type MatchesView struct {
	Page
	Person  *flare.Person
	Matches []MatchLine
}

// MatchLine is one possible match with its probability in whole percent.
type MatchLine struct {
	flare.PersonMatch
	Percent int
}

// OrganisationMatchesView is the possible matches of an organisation.
type OrganisationMatchesView struct {
	Page
	Organisation *flare.Organisation
	Matches      []OrganisationMatchLine
}

// OrganisationMatchLine is one possible match with its probability in
// whole percent.
type OrganisationMatchLine struct {
	flare.OrganisationMatch
	Percent int
}
