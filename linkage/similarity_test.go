package linkage

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	// Reference values from Winkler (1990) and the usual textbook examples.
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"jones", "johnson", 0.8323},
		{"abc", "abc", 1},
		{"abc", "xyz", 0},
		{"", "", 1},
		{"a", "", 0},
		{"zoë", "zoe", 0.8222}, // runes, not bytes
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 1e-3 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if back := JaroWinkler(tt.b, tt.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("JaroWinkler not symmetric on %q, %q: %v vs %v", tt.a, tt.b, got, back)
		}
	}
}

func TestDamerauLevenshtein(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"abcd", "acbd", 1}, {"kitten", "sitting", 3},
		{"ca", "abc", 3}, // optimal string alignment: no edit of a transposed pair
		{"smith", "smyth", 1}, {"1234567", "1243567", 1}, {"zoë", "zoe", 1},
	}
	for _, tt := range tests {
		if got := DamerauLevenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("DamerauLevenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		var s scratch
		if got := s.damerau([]rune(tt.a), []rune(tt.b), 1); min(got, 2) != min(tt.want, 2) {
			t.Errorf("bounded distance(%q, %q) = %d, want %d capped at 2", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestTokenSetSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{FoldOrganisation("XYZ Garments Ltd"), FoldOrganisation("Garments XYZ Limited"), 1},
		{"xyz garments limited", "xyz garmnets limited", 1}, // one typo in a long word
		{"xyz garments", "xyz textiles", 1.0 / 3},
		{"a b", "", 0},
		{"", "", 1},
	}
	for _, tt := range tests {
		if got := TokenSetSimilarity(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("TokenSetSimilarity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSoundex(t *testing.T) {
	// Examples of the US National Archives' Soundex rules.
	tests := map[string]string{
		"robert": "R163", "rupert": "R163", "rubin": "R150", "ashcraft": "A261",
		"tymczak": "T522", "pfister": "P236", "honeyman": "H555", "lee": "L000", "": "", "123": "",
	}
	for in, want := range tests {
		if got := Soundex(in); got != want {
			t.Errorf("Soundex(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestJaroWinklerBound checks that the profile bound never falls below the
// similarity it bounds, on random strings over a small alphabet (where
// shared characters are common).
func TestJaroWinklerBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() []rune {
		r := make([]rune, rng.IntN(9))
		for i := range r {
			r[i] = []rune("abcdeé ")[rng.IntN(7)]
		}
		return r
	}
	var s scratch
	for range 20000 {
		a, b := word(), word()
		pa, pb := makeProfile(a), makeProfile(b)
		if jw, bound := s.jaroWinkler(a, b), jaroWinklerBound(a, b, &pa, &pb); bound < jw-1e-12 {
			t.Fatalf("bound %v below JaroWinkler %v for %q, %q", bound, jw, string(a), string(b))
		}
	}
}

func FuzzComparators(f *testing.F) {
	f.Add("martha", "marhta")
	f.Add("", "x")
	f.Add("xyz garments ltd", "garments xyz limited")
	f.Add("zoë\u0301", "ZOE")
	f.Fuzz(func(t *testing.T, a, b string) {
		jw := JaroWinkler(a, b)
		if jw < 0 || jw > 1+1e-12 || math.IsNaN(jw) {
			t.Fatalf("JaroWinkler(%q, %q) = %v out of [0, 1]", a, b, jw)
		}
		d := DamerauLevenshtein(a, b)
		if d != DamerauLevenshtein(b, a) || d > max(len([]rune(a)), len([]rune(b))) {
			t.Fatalf("DamerauLevenshtein(%q, %q) = %d: asymmetric or too large", a, b, d)
		}
		if (d == 0) != (string([]rune(a)) == string([]rune(b))) { // invalid bytes all read as U+FFFD
			t.Fatalf("DamerauLevenshtein(%q, %q) = %d", a, b, d)
		}
		ts := TokenSetSimilarity(a, b)
		if ts < 0 || ts > 1 || math.IsNaN(ts) {
			t.Fatalf("TokenSetSimilarity(%q, %q) = %v", a, b, ts)
		}
		ra, rb := []rune(a), []rune(b)
		pa, pb := makeProfile(ra), makeProfile(rb)
		if bound := jaroWinklerBound(ra, rb, &pa, &pb); bound < jw-1e-12 {
			t.Fatalf("bound %v below JaroWinkler %v for %q, %q", bound, jw, a, b)
		}
		if _, diff := compareProfiles(&pa, &pb); d <= 1 && diff > 2 {
			t.Fatalf("%q, %q one edit apart but profiles differ by %d", a, b, diff)
		}
		if s := Soundex(a); s != "" && len(s) != 4 {
			t.Fatalf("Soundex(%q) = %q", a, s)
		}
	})
}
