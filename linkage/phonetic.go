package linkage

// Soundex returns the American Soundex code of a name (Russell and Odell's
// 1918 patent as standardised by the US National Archives): its first
// letter and three digits for the following consonant groups, so that
// "Robert" and "Rupert" both give R163. Letters outside A-Z (after Fold,
// which strips diacritics) are ignored; a name without one gives "".
func Soundex(name string) string {
	var code [4]byte
	n := 0
	var last byte
	for _, r := range name {
		c := asciiUpper(r)
		if c == 0 {
			continue
		}
		d := soundexDigit[c-'A']
		if n == 0 {
			code[0] = c
			n = 1
			last = d
			continue
		}
		switch {
		case d == 'h': // H and W do not separate equal codes
			continue
		case d == '0': // vowels separate equal codes
			last = d
		case d != last:
			code[n] = d
			n++
			last = d
			if n == 4 {
				return string(code[:])
			}
		}
	}
	if n == 0 {
		return ""
	}
	for ; n < 4; n++ {
		code[n] = '0'
	}
	return string(code[:])
}

// soundexDigit is the Soundex class of A..Z: '0' for vowels and Y, 'h' for H
// and W.
var soundexDigit = [26]byte{
	'0', '1', '2', '3', '0', '1', '2', 'h', '0', '2', '2', '4', '5',
	'5', '0', '1', '2', '6', '2', '3', '0', '1', 'h', '2', '0', '2',
}

func asciiUpper(r rune) byte {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A')
	case r >= 'A' && r <= 'Z':
		return byte(r)
	}
	return 0
}
