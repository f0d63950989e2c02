// Package screening turns what a front-line officer observed about a person
// into an explained finding on forced labour and a trafficking flag.
//
// The rules are versioned (see Rules and LatestVersion): the first rule set,
// "ICLS-2018", implements the statistical definition of forced labour of the
// 20th International Conference of Labour Statisticians (2018), the eleven ILO
// indicators of forced labour (ILO, 2012) mapped to its elements, the rules
// for children, and the trafficking elements of the UN Palermo Protocol
// (2000), Art. 3, as written in shared/domain/screening.md.
//
// A screening is an aid to a competent authority's decision, never the
// decision itself. Its explanation is a list of messages (message keys with
// arguments) so that every language can render it; English is the catalogue
// shipped here.
//
// The package is pure: no I/O, no clock, no randomness, no import of the
// rest of Flare. The same input always gives the same result.
package screening
