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

// compareProfiles returns how many characters two profiles share at most
// (the sum of the smaller counts) and how many they differ by (the sum of
// the count differences). Strings at most one edit apart differ by at most
// 2: a substitution takes one character out and puts one in.
func compareProfiles(pa, pb *profile) (common, diff int) {
	for i := range pa {
		x, y := int(pa[i]), int(pb[i])
		common += min(x, y)
		diff += max(x, y) - min(x, y)
	}
	return common, diff
}

// jaroWinklerBound returns an upper bound of JaroWinkler(a, b): Jaro with
// every shared character matched and no transposition, then Winkler's
// prefix bonus for the actual common prefix.
func jaroWinklerBound(a, b []rune, pa, pb *profile) float64 {
	m, _ := compareProfiles(pa, pb)
	return jaroWinklerBoundFrom(a, b, m)
}

// jaroWinklerBoundFrom is jaroWinklerBound given the shared character
// count of compareProfiles.
func jaroWinklerBoundFrom(a, b []rune, m int) float64 {
	if len(a) == 0 || len(b) == 0 {
		if len(a) == len(b) {
			return 1
		}
		return 0
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
