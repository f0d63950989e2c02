package linkage

// JaroWinkler returns the Jaro-Winkler similarity of a and b in [0, 1]: 1 for
// equal strings, 0 when they share no character. It is Jaro's measure
// (matching characters within half the longer length, and transpositions)
// raised for a common prefix of up to four characters with scaling factor
// 0.1, as defined by Winkler ("String Comparator Metrics and Enhanced
// Decision Rules in the Fellegi-Sunter Model of Record Linkage", 1990).
// Two empty strings are equal (1).
func JaroWinkler(a, b string) float64 {
	var s scratch
	return s.jaroWinkler([]rune(a), []rune(b))
}

// scratch holds buffers reused across comparisons, one per goroutine, so
// that comparing millions of pairs allocates nothing.
type scratch struct {
	flagsA, flagsB []bool
	// tokUsed and tokPending belong to tokenSet, which calls jaroWinkler
	// (and so reuses flagsA and flagsB) while it holds them.
	tokUsed, tokPending []bool
	rows                [3][]int
}

func (s *scratch) jaroWinkler(a, b []rune) float64 {
	j := s.jaro(a, b)
	if j <= 0.7 { // Winkler applies the prefix bonus only above 0.7
		return j
	}
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

func (s *scratch) jaro(a, b []rune) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := max(len(b)/2-1, 0)
	fa := resetBools(&s.flagsA, len(a))
	fb := resetBools(&s.flagsB, len(b))
	matches := 0
	for i, r := range a {
		lo, hi := max(0, i-window), min(len(b), i+window+1)
		for k := lo; k < hi; k++ {
			if !fb[k] && b[k] == r {
				fa[i], fb[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transpositions, k := 0, 0
	for i := range a {
		if !fa[i] {
			continue
		}
		for !fb[k] {
			k++
		}
		if a[i] != b[k] {
			transpositions++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(transpositions/2))/m) / 3
}

func resetBools(buf *[]bool, n int) []bool {
	if cap(*buf) < n {
		*buf = make([]bool, n)
	}
	v := (*buf)[:n]
	clear(v)
	return v
}
