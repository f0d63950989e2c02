package mse

import (
	"errors"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	tab, err := ReadCSV(strings.NewReader("\ufeff\"A\",B,C,count\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,1,0,6\n0,1,1,0\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Lists(); strings.Join(got, ",") != "A,B,C" {
		t.Errorf("lists = %v", got)
	}
	if tab.Observed() != 96 || tab.Overlap(0, 1) != 6 || tab.Overlap(0, 2) != 0 || tab.ListTotal(1) != 36 {
		t.Errorf("observed %d, overlap AB %d, AC %d, B %d", tab.Observed(), tab.Overlap(0, 1), tab.Overlap(0, 2), tab.ListTotal(1))
	}
	if got := tab.Count(Pattern([]bool{true, true, false})); got != 6 {
		t.Errorf("count(110) = %d", got)
	}
}

func TestReadCSVErrors(t *testing.T) {
	tests := []struct {
		name, in string
		line     int
		want     string
	}{
		{"empty", "", 0, "empty capture table"},
		{"one list", "A,count\n1,5\n", 1, "header has 2 columns"},
		{"thirteen lists", "A,B,C,D,E,F,G,H,I,J,K,L,M,n\n", 1, "need between 2 and 12 lists"},
		{"duplicate list", "A,A,n\n1,0,3\n", 1, `"A" appears twice`},
		{"blank list", "A, ,n\n1,0,3\n", 1, "list 2 has no name"},
		{"colon in name", "A:B,C,n\n1,0,3\n", 1, "must not contain ':'"},
		{"no rows", "A,B,n\n", 0, "no rows"},
		{"short row", "A,B,n\n1,0,3\n1,1\n", 3, "2 columns, want 3"},
		{"not binary", "A,B,n\n1,0,3\n2,1,4\n", 3, `column A: "2" is not 0 or 1`},
		{"all zero", "A,B,n\n0,0,3\n", 2, "all-zero pattern"},
		{"duplicate pattern", "A,B,n\n1,0,3\n0,1,2\n1,0,4\n", 4, "pattern 1,0 already given on line 2"},
		{"negative count", "A,B,n\n1,0,-3\n", 2, `count "-3" is not a non-negative integer`},
		{"fractional count", "A,B,n\n1,0,2.5\n", 2, `count "2.5"`},
		{"huge count", "A,B,n\n1,0,99999999999999999999\n", 2, "not a non-negative integer"},
		{"count over limit", "A,B,n\n1,0,1125899906842625\n", 2, "out of range"},
		{"total over limit", "A,B,n\n1,0,1125899906842624\n0,1,1\n", 3, "total of counts exceeds"},
		{"bad quote", "A,B,n\n1,0,\"3\n", 2, "extraneous or missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tt.in))
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			if ie.Line != tt.line || !strings.Contains(ie.Msg, tt.want) {
				t.Errorf("got line %d %q, want line %d containing %q", ie.Line, ie.Msg, tt.line, tt.want)
			}
		})
	}
}

func TestReadCSVTooLarge(t *testing.T) {
	_, err := ReadCSV(strings.NewReader("A,B,n\n" + strings.Repeat("1,0,1\n", maxCSVBytes/6+1)))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("err = %v, want a size error", err)
	}
}

// FuzzReadCSV checks that the decoder never panics and that whatever it
// accepts is a valid table: K within bounds, no all-zero pattern, counts in
// range, at least one row.
func FuzzReadCSV(f *testing.F) {
	f.Add("A,B,C,n\n1,0,0,40\n0,1,0,30\n0,0,1,20\n1,1,0,6\n")
	f.Add("LA,NG,PFNCA,GO,GP,count\n1,0,0,0,0,54\n0,1,0,0,0,463\n1,1,0,0,0,15\n")
	f.Add("A,B,n\n1,0,3\n1,0,4\n")
	f.Add("A,B,n\n0,0,3\n")
	f.Add("\"A\",\"B\",\"n\"\n\"1\",\"1\",\"5\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		tab, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		if tab.K() < MinLists || tab.K() > MaxLists {
			t.Fatalf("accepted %d lists", tab.K())
		}
		if tab.Count(0) != 0 {
			t.Fatal("accepted the all-zero pattern")
		}
		if n := tab.Observed(); n < 0 || n > MaxCount {
			t.Fatalf("observed %d out of range", n)
		}
	})
}
