package linkage

// profile counts a string's characters in 32 buckets (rune mod 32). Two
// strings share at most sum(min(pa[i], pb[i])) characters, which bounds
// their Jaro-Winkler similarity from above at almost no cost, so the exact
// computation is skipped for the many pairs that cannot reach a threshold.
type profile [32]uint8

func makeProfile(s []rune) profile {
	var p profile
	for _, r := range s {
		if p[r&31] < 255 {
			p[r&31]++
		}
	}
	return p
}

// jaroWinklerBound returns an upper bound of JaroWinkler(a, b): Jaro with
// every shared character matched and no transposition, then Winkler's
// prefix bonus for the actual common prefix.
func jaroWinklerBound(a, b []rune, pa, pb *profile) float64 {
	if len(a) == 0 || len(b) == 0 {
		if len(a) == len(b) {
			return 1
		}
		return 0
	}
	m := 0
	for i := range pa {
		m += int(min(pa[i], pb[i]))
	}
	if m == 0 {
		return 0
	}
	mf := float64(m)
	j := (mf/float64(len(a)) + mf/float64(len(b)) + 1) / 3
	if j <= 0.7 {
		return j
	}
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}
