package linkage

import "math"

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
	switch fd.spec.Comparator {
	case Exact:
		return 1
	case Name:
		if s.damerau(va.text, vb.text, 1) <= 1 {
			return 1
		}
		if fd.swap >= 0 && l.swapped(f, sa, a, sb, b) {
			return 2
		}
		jw := s.jaroWinkler(va.text, vb.text)
		switch {
		case jw >= th[0]:
			return 3
		case va.soundex != "" && va.soundex == vb.soundex:
			return 4
		case jw >= th[1]:
			return 5
		}
		return 6
	case Tokens, Organisation:
		ts := s.tokenSet(va.tokens, vb.tokens)
		switch {
		case ts >= th[0]:
			return 1
		case ts >= th[1]:
			return 2
		}
		return 3
	case Text:
		jw := s.jaroWinkler(va.text, vb.text)
		switch {
		case jw >= th[0]:
			return 1
		case s.tokenSet(va.tokens, vb.tokens) >= 0.5:
			return 2
		case jw >= th[1]:
			return 3
		}
		return 4
	case Code:
		if s.damerau(va.text, vb.text, 1) <= 1 {
			return 1
		}
		return 2
	case DateCmp:
		if s.damerau(va.text, vb.text, 1) <= 1 ||
			(va.dateOK && vb.dateOK && va.date.Year == vb.date.Year && va.date.Month == vb.date.Day && va.date.Day == vb.date.Month) {
			return 1
		}
		if va.dateOK && vb.dateOK && math.Abs(float64(va.days-vb.days)) <= th[0] {
			return 2
		}
		return 3
	case Numeric:
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
	return string(l.fields[f].values[ia].text) == string(l.fields[g].values[ib].text)
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
