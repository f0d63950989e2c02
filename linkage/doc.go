// Package linkage finds the records that describe the same person or
// organisation across lists held by different agencies (record linkage) or
// within one list (deduplication).
//
// It implements the probabilistic model of Fellegi and Sunter ("A Theory for
// Record Linkage", JASA 64, 1969): every candidate pair is compared field by
// field into a few agreement levels; each level has a probability m among true
// matches and u among non-matches, and a pair's match weight is the sum of
// log2(m/u) over its fields plus the prior log-odds. The u probabilities are
// estimated from random pairs, the m probabilities by expectation-maximisation
// without labels (Winkler, "Using the EM Algorithm for Weight Computation in
// the Fellegi-Sunter Model of Record Linkage", 1988) or from labelled pairs,
// with an optional term-frequency adjustment of exact agreements on common
// and rare values (the approach of Splink, UK Ministry of Justice).
//
// Candidate pairs come from several blocking rules whose union is compared;
// pairs at or above a probability threshold are clustered into entities by
// connected components, or assigned one-to-one when two lists each hold an
// entity once.
//
// The package does no I/O and imports nothing of Flare's: callers feed rows
// of strings in and get scored pairs out. Given the same input and seed every
// result is identical.
package linkage
