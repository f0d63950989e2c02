package linkage

import (
	"slices"
	"strings"
)

// TokenSetSimilarity compares two multi-word names regardless of word order:
// it is the Jaccard index of their sets of words, where two words count as
// the same when they are equal or their Jaro-Winkler similarity is at least
// 0.92 (one typo in a long word). "xyz garments limited" and "garments xyz
// limited" score 1. Texts should be folded first (FoldOrganisation). Two
// empty texts score 1, one empty text 0.
func TokenSetSimilarity(a, b string) float64 {
	var s scratch
	ta, tb := tokenRunes(a), tokenRunes(b)
	return s.tokenSet(ta, tb, profiles(ta), profiles(tb))
}

func profiles(tokens [][]rune) []profile {
	out := make([]profile, len(tokens))
	for i, t := range tokens {
		out[i] = makeProfile(t)
	}
	return out
}

// fuzzyTokenJW is the Jaro-Winkler similarity above which two words are taken
// as one word misspelt.
const fuzzyTokenJW = 0.92

func tokenRunes(s string) [][]rune {
	f := strings.Fields(s)
	out := make([][]rune, 0, len(f))
	seen := map[string]bool{}
	for _, t := range f {
		if !seen[t] {
			seen[t] = true
			out = append(out, []rune(t))
		}
	}
	return out
}

// tokenSet computes TokenSetSimilarity of two token lists with their
// character profiles.
func (s *scratch) tokenSet(a, b [][]rune, pa, pb []profile) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b, pa, pb = b, a, pb, pa
	}
	// Greedy matching: exact words first, then the best fuzzy partner.
	used := resetBools(&s.tokUsed, len(b))
	pendingA := resetBools(&s.tokPending, len(a))
	matched := 0
	for i, t := range a {
		pendingA[i] = true
		for k, u := range b {
			if !used[k] && slices.Equal(t, u) {
				used[k], pendingA[i] = true, false
				matched++
				break
			}
		}
	}
	for i, t := range a {
		if !pendingA[i] {
			continue
		}
		best, bestK := 0.0, -1
		for k, u := range b {
			if used[k] || jaroWinklerBound(t, u, &pa[i], &pb[k]) < fuzzyTokenJW {
				continue
			}
			if sim := s.jaroWinkler(t, u); sim > best {
				best, bestK = sim, k
			}
		}
		if bestK >= 0 && best >= fuzzyTokenJW {
			used[bestK] = true
			matched++
		}
	}
	return float64(matched) / float64(len(a)+len(b)-matched)
}
