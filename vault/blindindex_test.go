package vault

import (
	"slices"
	"strings"
	"testing"
)

func TestNormaliseTokens(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"José Müller-Lüdenscheidt", []string{"jose", "ludenscheidt", "muller"}},
		{"JOSE  muller", []string{"jose", "muller"}},
		{"jose\u0301", []string{"jose"}}, // e + combining acute
		{"Straße", []string{"strasse"}},
		{"Ｏｌｕｗａｓｅｕｎ", []string{"oluwaseun"}}, // full-width: NFKD
		{"O'Brien, Seán", []string{"brien", "o", "sean"}},
		{"مُحَمَّد", []string{"محمد"}}, // Arabic vowel marks removed
		{"Nguyễn Văn An", []string{"an", "nguyen", "van"}},
		{"ID 12-345", []string{"12", "345", "id"}},
		{"", nil},
		{" -.,;: ", nil},
		{"ana ANA Ána", []string{"ana"}},
		{"ΟΔΥΣΣΕΥΣ Ϲ ς", []string{"οδυσσευσ", "σ"}}, // final and lunate sigma match σ
		{"Ꮜ ꮜ", []string{"ꮜ"}},                      // Cherokee, where cases.Fold flips case
		{"\xf5ā", []string{"a"}},                    // invalid UTF-8 separates
	}
	for _, tt := range tests {
		got := NormaliseTokens(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("NormaliseTokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := NormaliseTokens(strings.Repeat("a", 500) + " " + strings.Repeat("w ", 0))
	if len([]rune(long[0])) != maxTokenRunes {
		t.Errorf("a 500-letter word gave a %d-rune token, want %d", len([]rune(long[0])), maxTokenRunes)
	}
	var many []string
	for i := range 200 {
		many = append(many, strings.Repeat("x", i%50+1)+string(rune('a'+i%26)))
	}
	if n := len(NormaliseTokens(strings.Join(many, " "))); n > maxTokens {
		t.Errorf("%d tokens, want at most %d", n, maxTokens)
	}
}

func TestBlindIndex(t *testing.T) {
	v := newVault(t)
	stored, err := v.BlindIndex("person.name", "Amina Diallo-Touré")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 3 {
		t.Fatalf("tokens = %q, want 3", stored)
	}
	for _, tok := range stored {
		if len(tok) != 2*BlindIndexBytes {
			t.Fatalf("token %q has %d hex digits, want %d", tok, len(tok), 2*BlindIndexBytes)
		}
		for _, w := range []string{"amina", "diallo", "toure"} {
			if strings.Contains(tok, w) {
				t.Fatalf("token %q contains the word %q", tok, w)
			}
		}
	}
	query, _ := v.BlindIndex("person.name", "TOURE amina")
	for _, q := range query {
		if !slices.Contains(stored, q) {
			t.Fatalf("query token %s not among the stored tokens %q: search would miss", q, stored)
		}
	}
	otherField, _ := v.BlindIndex("report.place", "Amina Diallo-Touré")
	otherRing, _ := newVault(t).BlindIndex("person.name", "Amina Diallo-Touré")
	for _, tok := range stored {
		if slices.Contains(otherField, tok) {
			t.Fatal("the same word in another field gave the same token")
		}
		if slices.Contains(otherRing, tok) {
			t.Fatal("another key ring gave the same token: the index is not keyed")
		}
	}
	if _, err := v.BlindIndex("", "x"); err == nil {
		t.Fatal("BlindIndex without a field name succeeded")
	}
}
