package html

import "github.com/flare-ilo/flare"

// PersonWork is what was done for a person beyond their record: their
// screenings (issue #7) and wage claims (issue #8), on the person's page.
type PersonWork struct {
	// CanScreen and CanClaim show the links to start them.
	CanScreen, CanClaim bool
	// CanMatch offers the possible matches, to users who see the identity.
	CanMatch    bool
	Assessments []*flare.Assessment
	Claims      []*flare.WageClaim
}
