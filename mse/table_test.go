package mse

import "testing"

func TestTableSet(t *testing.T) {
	tab, err := NewTable([]string{"A", "B", "C"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		pattern uint
		count   int64
		ok      bool
	}{
		{0, 1, false},        // the unobserved cell
		{8, 1, false},        // beyond three lists
		{1, -1, false},       // negative
		{1, 5, true},         // A only
		{1, 7, true},         // replaces
		{7, MaxCount, false}, // total over the limit with the 7 above
		{7, 3, true},
	} {
		err := tab.Set(tt.pattern, tt.count)
		if (err == nil) != tt.ok {
			t.Errorf("Set(%b, %d) error = %v, want ok %v", tt.pattern, tt.count, err, tt.ok)
		}
	}
	if tab.Observed() != 10 || tab.Count(1) != 7 || tab.Overlap(0, 2) != 3 || tab.ListTotal(0) != 10 {
		t.Errorf("observed %d count(A) %d overlap(A,C) %d", tab.Observed(), tab.Count(1), tab.Overlap(0, 2))
	}
	if got := tab.Rows(); len(got) != 2 || got[0] != 1 || got[1] != 7 {
		t.Errorf("rows = %v", got)
	}
	c := tab.Clone()
	c.Set(1, 1)
	if tab.Count(1) != 7 {
		t.Error("Clone shares counts")
	}
}

func TestParseTerm(t *testing.T) {
	tab, _ := NewTable([]string{"LA", "NG", "GP"})
	for _, tt := range []struct {
		in   string
		want Pair
		ok   bool
	}{
		{"LA:NG", Pair{0, 1}, true},
		{"GP:LA", Pair{0, 2}, true},
		{"LA:LA", Pair{}, false},
		{"LA", Pair{}, false},
	} {
		got, err := tab.ParseTerm(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseTerm(%q) = %v, %v", tt.in, got, err)
		}
	}
}
