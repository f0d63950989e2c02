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
