package linkage

import (
	"math"
	"slices"
)

// kind is a Comparator as a small integer, so that the comparison of
// millions of pairs switches on an int rather than a string.
type kind uint8

const (
	kExact kind = iota
	kName
	kTokens // Tokens and Organisation: they differ only in folding
	kText
	kCode
	kDate
	kNumeric
)

var kindOf = map[Comparator]kind{
	Exact: kExact, Name: kName, Tokens: kTokens, Organisation: kTokens,
	Text: kText, Code: kCode, DateCmp: kDate, Numeric: kNumeric,
}

// nullLevel marks a field missing on either side: no evidence.
const nullLevel = 15

// level compares field f of record a (side sa) and record b (side sb) into
// an agreement level of the field's comparator (0 is the strongest), or
// nullLevel.
func (l *Linker) level(s *scratch, f int, sa Side, a int, sb Side, b int) uint8 {
	fd := l.fields[f]
	ia, ib := l.sides[sa].vals[f][a], l.sides[sb].vals[f][b]
	if ia == 0 || ib == 0 {
		return nullLevel
	}
	if ia == ib {
		return 0
	}
	va, vb := &fd.values[ia], &fd.values[ib]
	th := fd.spec.Thresholds
	switch fd.kind {
	case kExact:
		return 1
	case kName:
		common, diff := compareProfiles(&va.prof, &vb.prof)
		if diff <= 2 && s.damerau(va.text, vb.text, 1) <= 1 {
			return 1
		}
		if fd.swap >= 0 && l.swapped(f, sa, a, sb, b) {
			return 2
		}
		jw := 0.0 // below both thresholds unless the bound allows more
		if jaroWinklerBoundFrom(va.text, vb.text, common) >= min(th[0], th[1]) {
			jw = s.jaroWinkler(va.text, vb.text)
		}
		switch {
		case jw >= th[0]:
			return 3
		case va.soundex != "" && va.soundex == vb.soundex:
			return 4
		case jw >= th[1]:
			return 5
		}
		return 6
	case kTokens:
		ts := s.tokenSet(va.tokens, vb.tokens, va.tprof, vb.tprof)
		switch {
		case ts >= th[0]:
			return 1
		case ts >= th[1]:
			return 2
		}
		return 3
	case kText:
		jw := 0.0
		if jaroWinklerBound(va.text, vb.text, &va.prof, &vb.prof) >= min(th[0], th[1]) {
			jw = s.jaroWinkler(va.text, vb.text)
		}
		switch {
		case jw >= th[0]:
			return 1
		case s.tokenSet(va.tokens, vb.tokens, va.tprof, vb.tprof) >= 0.5:
			return 2
		case jw >= th[1]:
			return 3
		}
		return 4
	case kCode:
		if _, diff := compareProfiles(&va.prof, &vb.prof); diff <= 2 && s.damerau(va.text, vb.text, 1) <= 1 {
			return 1
		}
		return 2
	case kDate:
		if _, diff := compareProfiles(&va.prof, &vb.prof); (diff <= 2 && s.damerau(va.text, vb.text, 1) <= 1) ||
			(va.dateOK && vb.dateOK && va.date.Year == vb.date.Year && va.date.Month == vb.date.Day && va.date.Day == vb.date.Month) {
			return 1
		}
		if va.dateOK && vb.dateOK && math.Abs(float64(va.days-vb.days)) <= th[0] {
			return 2
		}
		return 3
	case kNumeric:
		if va.numOK && vb.numOK && math.Abs(va.num-vb.num) <= th[0]*math.Max(math.Abs(va.num), math.Abs(vb.num)) {
			return 1
		}
		return 2
	}
	return nullLevel
}

// swapped reports whether record a's value of name field f equals record
// b's value of the field f is swapped with (given name and surname written
// the other way round).
func (l *Linker) swapped(f int, sa Side, a int, sb Side, b int) bool {
	g := l.fields[f].swap
	ia, ib := l.sides[sa].vals[f][a], l.sides[sb].vals[g][b]
	if ia == 0 || ib == 0 {
		return false
	}
	return slices.Equal(l.fields[f].values[ia].text, l.fields[g].values[ib].text)
}

// pattern packs the levels of every field for one pair, 4 bits per field.
func (l *Linker) pattern(s *scratch, sa Side, a int, sb Side, b int) uint64 {
	var p uint64
	for f := range l.fields {
		p |= uint64(l.level(s, f, sa, a, sb, b)) << (4 * f)
	}
	return p
}

// levelOf unpacks field f's level from a pattern.
func levelOf(p uint64, f int) uint8 { return uint8(p>>(4*f)) & 0xF }
