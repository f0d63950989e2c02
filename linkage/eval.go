package linkage

import "strings"

// EntityFromID returns the entity of a record id of the form used by the
// FEBRL data generator and by Generate: "rec-123-org" and "rec-123-dup-0"
// are both entity "rec-123". It reports false for ids of any other form.
func EntityFromID(id string) (string, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(id), "rec-")
	if !ok {
		return "", false
	}
	n, _, _ := strings.Cut(rest, "-")
	if n == "" {
		return "", false
	}
	return "rec-" + n, true
}

// Accuracy compares the matches of a linkage with the truth.
type Accuracy struct {
	TruePairs  int // pairs of records of one entity
	FoundPairs int // matches reported
	Correct    int // matches that are true pairs
	Precision  float64
	Recall     float64
	F1         float64
}

// EvaluateClusters scores the pairs the clusters imply (every two records
// of one cluster, from different sides when linking) instead of the
// matches: a record matched to two records of one entity links those two
// as well (transitive closure), which recovers true pairs scored below the
// threshold and can also join two entities through one false match.
func (r *Result) EvaluateClusters(entity func(id string) string) Accuracy {
	l := r.l
	var acc Accuracy
	type group struct {
		cluster int
		entity  string
	}
	var clusterSize [2]map[int]int
	var groupSize [2]map[group]int
	sides := []Side{Left}
	if r.link {
		sides = append(sides, Right)
	}
	entityLeft := map[string]int{}
	entityRight := map[string]int{}
	for _, side := range sides {
		clusterSize[side], groupSize[side] = map[int]int{}, map[group]int{}
		for i, c := range r.Clusters[side] {
			clusterSize[side][c]++
			e := entity(l.sides[side].ids[i])
			if e == "" {
				continue
			}
			groupSize[side][group{c, e}]++
			if side == Left {
				entityLeft[e]++
			} else {
				entityRight[e]++
			}
		}
	}
	if r.link {
		for c, n := range clusterSize[Left] {
			acc.FoundPairs += n * clusterSize[Right][c]
		}
		for g, n := range groupSize[Left] {
			acc.Correct += n * groupSize[Right][g]
		}
		for e, n := range entityLeft {
			acc.TruePairs += n * entityRight[e]
		}
	} else {
		for _, n := range clusterSize[Left] {
			acc.FoundPairs += n * (n - 1) / 2
		}
		for _, n := range groupSize[Left] {
			acc.Correct += n * (n - 1) / 2
		}
		for _, n := range entityLeft {
			acc.TruePairs += n * (n - 1) / 2
		}
	}
	acc.score()
	return acc
}

func (acc *Accuracy) score() {
	if acc.FoundPairs > 0 {
		acc.Precision = float64(acc.Correct) / float64(acc.FoundPairs)
	}
	if acc.TruePairs > 0 {
		acc.Recall = float64(acc.Correct) / float64(acc.TruePairs)
	}
	if acc.Precision+acc.Recall > 0 {
		acc.F1 = 2 * acc.Precision * acc.Recall / (acc.Precision + acc.Recall)
	}
}

// Evaluate scores a result's matches against the true entities, given by
// entity (a record id to its entity; "" for a record of no known entity,
// which matches nothing). Deduplication counts every pair of records of
// one entity; linkage every pair of a left and a right record of one
// entity.
func (r *Result) Evaluate(entity func(id string) string) Accuracy {
	l := r.l
	ent := func(side Side, i int) string { return entity(l.sides[side].ids[i]) }
	var acc Accuracy
	left := map[string]int{}
	for i := range l.sides[Left].ids {
		if e := ent(Left, i); e != "" {
			left[e]++
		}
	}
	if r.link {
		for i := range l.sides[Right].ids {
			if e := ent(Right, i); e != "" {
				acc.TruePairs += left[e]
			}
		}
	} else {
		for _, k := range left {
			acc.TruePairs += k * (k - 1) / 2
		}
	}
	rs := Left
	if r.link {
		rs = Right
	}
	for _, m := range r.Matches {
		acc.FoundPairs++
		if e := ent(Left, m.A); e != "" && e == ent(rs, m.B) {
			acc.Correct++
		}
	}
	acc.score()
	return acc
}
