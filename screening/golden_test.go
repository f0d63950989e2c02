package screening

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCases lists the cases in testdata: each NAME.input.json has its
// expected result in NAME.result.json and its English text in NAME.text.
func goldenCases(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*.input.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no golden cases in testdata/")
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.TrimSuffix(filepath.Base(p), ".input.json")
	}
	sort.Strings(names)
	return names
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGolden(t *testing.T) {
	r, _ := Rules(VersionICLS2018)
	for _, name := range goldenCases(t) {
		t.Run(name, func(t *testing.T) {
			in, err := DecodeInput(readFile(t, name+".input.json"))
			if err != nil {
				t.Fatalf("DecodeInput: %v", err)
			}
			res, err := r.Screen(in, DefaultConfig())
			if err != nil {
				t.Fatalf("Screen: %v", err)
			}
			got, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			text := []byte(strings.Join(English().RenderAll(res.Explanation), "\n") + "\n")
			compareGolden(t, name+".result.json", got)
			compareGolden(t, name+".text", text)
		})
	}
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
