package screening

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestEncodeInputRoundTrip: every valid input of the golden tests decodes
// to the same Input after encoding.
func TestEncodeInputRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*", "*.json"))
	files2, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	files = append(files, files2...)
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		in, err := DecodeInput(data)
		if err != nil {
			continue // not an input document, or an invalid one
		}
		out, err := EncodeInput(in)
		if err != nil {
			t.Fatalf("%s: encode: %v", f, err)
		}
		back, err := DecodeInput(out)
		if err != nil {
			t.Fatalf("%s: decode the encoding: %v\n%s", f, err, out)
		}
		if !equalInputs(in, back) {
			t.Fatalf("%s: round trip changed the input:\n%+v\n%+v", f, in, back)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no input document found in testdata")
	}
}

// equalInputs compares inputs, treating nil and empty lists alike.
func equalInputs(a, b Input) bool {
	norm := func(in Input) Input {
		in.Trafficking.Acts = nonNil(in.Trafficking.Acts)
		in.Trafficking.Means = nonNil(in.Trafficking.Means)
		in.Trafficking.Purposes = nonNil(in.Trafficking.Purposes)
		in.Observations = nonNil(in.Observations)
		return in
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
