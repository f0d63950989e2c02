package linkage

import (
	"cmp"
	"slices"
)

// oneToOne keeps, among matches, a set in which each left and each right
// record appears at most once, taking the most probable pairs first (ties
// by record order, for determinism). It returns them sorted by A then B.
func oneToOne(matches []Match) []Match {
	byProb := slices.Clone(matches)
	slices.SortStableFunc(byProb, func(x, y Match) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	usedA, usedB := map[int]bool{}, map[int]bool{}
	var kept []Match
	for _, m := range byProb {
		if usedA[m.A] || usedB[m.B] {
			continue
		}
		usedA[m.A], usedB[m.B] = true, true
		kept = append(kept, m)
	}
	slices.SortFunc(kept, func(x, y Match) int {
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	return kept
}

// clusters groups records into entities: the connected components of the
// graph whose edges are the matches. Left records are nodes 0..nl-1 and,
// when linking, right records nl..nl+nr-1. Entities are numbered from 1 in
// the order of their first record.
func clusters(matches []Match, nl, nr int, link bool) [2][]int {
	n := nl
	if link {
		n += nr
	}
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]] // path halving
			x = parent[x]
		}
		return x
	}
	for _, m := range matches {
		b := m.B
		if link {
			b += nl
		}
		ra, rb := find(int32(m.A)), find(int32(b))
		if ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	id := make([]int, n)
	next := 0
	var out [2][]int
	out[Left] = make([]int, nl)
	if link {
		out[Right] = make([]int, nr)
	}
	for i := range n {
		r := find(int32(i))
		if id[r] == 0 {
			next++
			id[r] = next
		}
		if i < nl {
			out[Left][i] = id[r]
		} else {
			out[Right][i-nl] = id[r]
		}
	}
	return out
}
