package screening

// RuleSet is one version of the screening rules. A screening records the
// version it was made under; a later version is added as a new RuleSet
// beside the others, never by changing one (shared/domain/screening.md: "a
// screening keeps the version it was made under, and re-screening under a
// new version keeps both").
type RuleSet interface {
	// Version is the stable name of the rule set, e.g. "ICLS-2018".
	Version() string
	// Screen validates in and screens it. An invalid input gives an
	// *InputError and no result.
	Screen(in Input, cfg Config) (Result, error)
	// Questions is the catalogue of plain questions an interview asks to
	// gather the input of this rule set.
	Questions() []Question
}

// LatestVersion is the rule set new screenings use by default.
const LatestVersion = VersionICLS2018

// Config holds the choices the rules leave to the country.
type Config struct {
	// PresumeMinor applies the child rule when the age is unknown and there
	// are signs the person may be a minor (shared/domain/screening.md,
	// rule 3: "configurable, on by default").
	PresumeMinor bool
}

// DefaultConfig returns the configuration the source specifies by default.
func DefaultConfig() Config {
	return Config{PresumeMinor: true}
}

// ruleSets lists every rule set, oldest first.
func ruleSets() []RuleSet {
	return []RuleSet{icls2018{}}
}

// Rules returns the rule set of the given version.
func Rules(version string) (RuleSet, bool) {
	for _, r := range ruleSets() {
		if r.Version() == version {
			return r, true
		}
	}
	return nil, false
}

// Versions returns the version of every rule set, oldest first.
func Versions() []string {
	var vs []string
	for _, r := range ruleSets() {
		vs = append(vs, r.Version())
	}
	return vs
}
