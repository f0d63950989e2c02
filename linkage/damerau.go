package linkage

// DamerauLevenshtein returns the optimal-string-alignment distance between a
// and b: the least number of insertions, deletions, substitutions and
// transpositions of two adjacent characters that turn one into the other
// (Damerau 1964, "A technique for computer detection and correction of
// spelling errors"; each substring edited at most once). It counts runes, so
// "Zoë" and "Zoe" are one substitution apart.
func DamerauLevenshtein(a, b string) int {
	var s scratch
	return s.damerau([]rune(a), []rune(b), -1)
}

// damerau computes the distance; when limit >= 0 it may stop early and return
// limit+1 as soon as the distance is known to exceed limit, which makes the
// common question "at most one edit apart?" cheap.
func (s *scratch) damerau(a, b []rune, limit int) int {
	if len(a) < len(b) {
		a, b = b, a
	}
	if limit >= 0 && len(a)-len(b) > limit {
		return limit + 1
	}
	if len(b) == 0 {
		return len(a)
	}
	n := len(b) + 1
	for i := range s.rows {
		if cap(s.rows[i]) < n {
			s.rows[i] = make([]int, n)
		}
		s.rows[i] = s.rows[i][:n]
	}
	prev2, prev, cur := s.rows[0], s.rows[1], s.rows[2]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
			rowMin = min(rowMin, d)
		}
		if limit >= 0 && rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
