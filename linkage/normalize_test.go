package linkage

import "testing"

func TestFold(t *testing.T) {
	tests := []struct {
		fn       func(string) string
		in, want string
	}{
		{Fold, "  José  MARÍA ", "jose maria"},
		{Fold, "O'Brien-Smith", "obrien smith"},
		{Fold, "Søren Łukasz Straße", "soren lukasz strasse"},
		{Fold, "Ｆｕｌｌ\u00a0width", "full width"},
		{Fold, "Nguyễn Văn Đức", "nguyen van duc"},
		{Fold, "محمد", "محمد"},
		{Fold, "", ""},
		{Fold, "--", ""},
		{FoldName, "Ludwig van der Berg", "ludwig berg"},
		{FoldName, "Abdullah bin Ahmad", "abdullah ahmad"},
		{FoldName, "De La", "de la"},
		{FoldName, "Smith", "smith"},
		{FoldOrganisation, "XYZ Garments Ltd.", "xyz garments limited"},
		{FoldOrganisation, "Garments XYZ Limited", "garments xyz limited"},
		{FoldOrganisation, "ABC & Co", "abc company"},
		{FoldCode, "AB1 2CD", "ab12cd"},
		{FoldCode, "+44 (0)20-7946", "440207946"},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"19570304", Date{1957, 3, 4}, true},
		{"1957-03-04", Date{1957, 3, 4}, true},
		{"1957/3/4", Date{1957, 3, 4}, true},
		{"04/03/1957", Date{1957, 3, 4}, true},    // day first
		{"03/25/1957", Date{1957, 3, 25}, true},   // only readable month first
		{"1957-25-03", Date{1957, 3, 25}, true},   // swapped, recognised
		{"4 March 1957", Date{1957, 3, 4}, true},  // month name
		{"March 4, 1957", Date{1957, 3, 4}, true}, // month name first
		{"29.02.2000", Date{2000, 2, 29}, true},   // leap year
		{"29.02.1900", Date{}, false},             // not a leap year
		{"19570230", Date{}, false},               // 30 February
		{"", Date{}, false},
		{"unknown", Date{}, false},
		{"12/13/14", Date{}, false}, // two-digit year: ambiguous
		{"0000-01-01", Date{}, false},
		{"1957-13-13", Date{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"19570304", "04/03/1957", "1957-25-03", "4 March 1957", "March 4, 1957", "", "99999999", "1/1/1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			return
		}
		if !validDate(d.Year, d.Month, d.Day) {
			t.Fatalf("ParseDate(%q) = %v, not a real date", s, d)
		}
		// A parsed date reads back as itself in both canonical forms.
		for _, form := range []string{d.String(), d.String()[:4] + d.String()[5:7] + d.String()[8:]} {
			if back, ok := ParseDate(form); !ok || back != d {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", form, back, ok, d)
			}
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"José MARÍA", "O'Brien", "Ｆｕｌｌ", "Nguyễn", "ǅ", "\u0301a", "ﷺ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, fn := range map[string]func(string) string{"Fold": Fold, "FoldName": FoldName, "FoldOrganisation": FoldOrganisation, "FoldCode": FoldCode} {
			once := fn(s)
			if twice := fn(once); twice != once {
				t.Fatalf("%s not idempotent on %q: %q then %q", name, s, once, twice)
			}
		}
	})
}
