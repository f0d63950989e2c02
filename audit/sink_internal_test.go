package audit

import (
	"bytes"
	"testing"
)

func TestSplitNotesDamage(t *testing.T) {
	good := "o\n1\nh\n\n\u2014 k sig\n\n"
	for name, b := range map[string]string{
		"no end of text":        "o\n1\nh\n",
		"no signature":          "o\n1\nh\n\nx\n\n",
		"unterminated sig":      "o\n1\nh\n\n\u2014 k sig",
		"no separator":          "o\n1\nh\n\n\u2014 k sig\n",
		"garbage after a note":  good + "junk",
		"text after signatures": "o\n1\nh\n\n\u2014 k sig\nmore\n\n",
	} {
		if _, err := splitNotes([]byte(b)); err == nil {
			t.Errorf("%s: accepted %q", name, b)
		}
	}
	notes, err := splitNotes([]byte(good + good))
	if err != nil || len(notes) != 2 || string(notes[0]) != good[:len(good)-1] {
		t.Errorf("two notes = %q, %v", notes, err)
	}
}

// FuzzSplitNotes: never panics, and the notes it returns, written back
// with their separators, are the input.
func FuzzSplitNotes(f *testing.F) {
	f.Add([]byte("o\n1\nh\n\n\u2014 k sig\n\n"))
	f.Add([]byte("o\n1\nh\n\n\u2014 k sig\n\u2014 j sig\n\no\n2\nh\n\n\u2014 k s\n\n"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		notes, err := splitNotes(b)
		if err != nil {
			return
		}
		var out []byte
		for _, n := range notes {
			if !bytes.Contains(n, []byte("\n\n\u2014 ")) {
				t.Fatalf("note without a signature line: %q", n)
			}
			out = append(append(out, n...), '\n')
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("split %q, rejoined %q", b, out)
		}
	})
}
