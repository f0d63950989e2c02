package main

import (
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateLinkGolden = flag.Bool("update-link-golden", false, "rewrite the golden output of flare link")

// linkTestdata is the FEBRL slice shipped with the engine.
const linkTestdata = "../../linkage/testdata"

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// TestLinkGolden links the two FEBRL slices with the default configuration
// and compares the pairs with a golden file (refresh with
// -update-link-golden after a deliberate change of the model).
func TestLinkGolden(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "pairs.csv")
	clusters := filepath.Join(dir, "clusters.csv")
	_, stderr, code := runCLI(t, "", nil, "link",
		"--left", filepath.Join(linkTestdata, "febrl4a_slice.csv"), "--right", filepath.Join(linkTestdata, "febrl4b_slice.csv"),
		"--id", "rec_id", "--out", out, "--clusters", clusters, "--evaluate")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join(linkTestdata, "link_febrl4_slice.golden.csv")
	if *updateLinkGolden {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("pairs differ from %s; run go test -run TestLinkGolden -update-link-golden and review the diff", golden)
	}
	rows := readCSVFile(t, out)
	if h := rows[0]; h[0] != "rec_id_l" || h[1] != "rec_id_r" || h[2] != "match_probability" || h[3] != "w_given_name" {
		t.Errorf("header %v", h)
	}
	for _, r := range rows[1:] {
		if !strings.HasSuffix(r[1], "-dup-0") || !strings.HasSuffix(r[0], "-org") {
			t.Fatalf("left id then right id expected: %v", r)
		}
	}
	cl := readCSVFile(t, clusters)
	if len(cl) != 1+300+300 || strings.Join(cl[0], ",") != "source,rec_id,cluster_id" {
		t.Errorf("clusters: %d rows, header %v", len(cl), cl[0])
	}
	for _, s := range []string{`"msg":"blocking rule 1`, `"msg":"accuracy"`, `"f1":`} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %s:\n%s", s, stderr)
		}
	}
}

func TestLinkDedupeStdinAndClusters(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(linkTestdata, "febrl3_slice.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clusters := filepath.Join(dir, "c.csv")
	stdout, stderr, code := runCLI(t, string(data), nil, "link", "--dedupe", "-", "--id", "rec_id", "--threshold", "0.9", "--clusters", clusters)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 400 {
		t.Fatalf("%d pairs", len(rows)-1)
	}
	cluster := map[string]string{}
	for _, r := range readCSVFile(t, clusters)[1:] {
		cluster[r[0]] = r[1]
	}
	if len(cluster) != 321 {
		t.Fatalf("%d records clustered, want 321", len(cluster))
	}
	for _, r := range rows[1:] {
		if cluster[r[0]] != cluster[r[1]] {
			t.Fatalf("pair %v in clusters %s and %s", r[:2], cluster[r[0]], cluster[r[1]])
		}
		if r[2] < "0.9" {
			t.Fatalf("pair below the threshold: %v", r)
		}
	}
}

func TestLinkConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, dir, "link.json", `{
  "fields": [
    {"column": "given_name", "comparator": "name", "term_frequency": true},
    {"column": "surname", "comparator": "name", "thresholds": [0.9, 0.75]},
    {"name": "dob", "column": "date_of_birth", "comparator": "date", "thresholds": [30]}
  ],
  "blocking": [["soundex:surname"], ["dob"]],
  "threshold": 0.8,
  "one_to_one": true
}`)
	stdout, stderr, code := runCLI(t, "", nil, "link", "--left", filepath.Join(linkTestdata, "febrl4a_slice.csv"),
		"--right", filepath.Join(linkTestdata, "febrl4b_slice.csv"), "--id", "rec_id", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	header, _, _ := strings.Cut(stdout, "\n")
	if header != "rec_id_l,rec_id_r,match_probability,w_given_name,w_surname,w_dob" {
		t.Errorf("header %q", header)
	}
	if n := strings.Count(stdout, "\n") - 1; n < 200 || n > 300 {
		t.Errorf("%d pairs, want 200-300 one-to-one", n)
	}
}

func TestLinkGen(t *testing.T) {
	a, _, code := runCLI(t, "", nil, "link", "gen", "--n", "200", "--seed", "3")
	b, _, _ := runCLI(t, "", nil, "link", "gen", "--n", "200", "--seed", "3")
	if code != 0 || a != b {
		t.Fatalf("exit %d, or two runs with one seed differ", code)
	}
	rows, err := csv.NewReader(strings.NewReader(a)).ReadAll()
	if err != nil || len(rows) != 201 || rows[0][0] != "rec_id" {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	dir := t.TempDir()
	gen := writeFile(t, dir, "gen.csv", a)
	_, stderr, code := runCLI(t, "", nil, "link", "--dedupe", gen, "--id", "rec_id", "--evaluate", "--out", filepath.Join(dir, "p.csv"))
	if code != 0 || !strings.Contains(stderr, `"f1":`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestLinkBadInput(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.csv", "rec_id,given_name,surname\n1,ann,lee\n2,anne,lee\n")
	ragged := writeFile(t, dir, "ragged.csv", "rec_id,given_name,surname\n1,ann,lee\n2,anne\n")
	quote := writeFile(t, dir, "quote.csv", "rec_id,given_name,surname\n1,ann,lee\n2,\"an\"ne,lee\n")
	dupID := writeFile(t, dir, "dup.csv", "rec_id,given_name,surname\n1,ann,lee\n1,anne,lee\n")
	noID := writeFile(t, dir, "noid.csv", "rec_id,given_name,surname\n1,ann,lee\n ,anne,lee\n")
	empty := writeFile(t, dir, "empty.csv", "")
	unknown := writeFile(t, dir, "unknown.csv", "rec_id,colour\n1,red\n")
	dupCol := writeFile(t, dir, "dupcol.csv", "rec_id,surname,surname\n1,a,b\n")
	badJSON := writeFile(t, dir, "bad.json", "{\n  \"threshold\": 0.5,\n  \"fields\": [\n}")
	extraKey := writeFile(t, dir, "extra.json", `{"treshold": 0.5}`)
	badCmp := writeFile(t, dir, "cmp.json", `{"fields":[{"column":"surname","comparator":"fuzzy"}],"blocking":[["surname"]]}`)
	noCol := writeFile(t, dir, "nocol.json", `{"fields":[{"column":"dob","comparator":"date"}],"blocking":[["dob"]]}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no mode", []string{"--id", "rec_id"}, "-dedupe: required"},
		{"no id", []string{"--dedupe", good}, "-id: required"},
		{"both modes", []string{"--dedupe", good, "--left", good, "--right", good, "--id", "rec_id"}, "not both"},
		{"left only", []string{"--left", good, "--id", "rec_id"}, "needs both"},
		{"missing file", []string{"--dedupe", filepath.Join(dir, "nope.csv"), "--id", "rec_id"}, "cannot open"},
		{"ragged row", []string{"--dedupe", ragged, "--id", "rec_id"}, "line 3"},
		{"bad quote", []string{"--dedupe", quote, "--id", "rec_id"}, "line 3"},
		{"duplicate id", []string{"--dedupe", dupID, "--id", "rec_id"}, `line 3: id "1" appears twice`},
		{"empty id", []string{"--dedupe", noID, "--id", "rec_id"}, "line 3: empty id"},
		{"empty file", []string{"--dedupe", empty, "--id", "rec_id"}, "empty file"},
		{"unknown id column", []string{"--dedupe", good, "--id", "key"}, `column "key"`},
		{"no known column", []string{"--dedupe", unknown, "--id", "rec_id"}, "no column name"},
		{"duplicate column", []string{"--dedupe", dupCol, "--id", "rec_id"}, "appears twice"},
		{"threshold", []string{"--dedupe", good, "--id", "rec_id", "--threshold", "1.5"}, "-threshold"},
		{"threshold zero", []string{"--dedupe", good, "--id", "rec_id", "--threshold", "0"}, "-threshold"},
		{"one-to-one dedupe", []string{"--dedupe", good, "--id", "rec_id", "--one-to-one"}, "-one-to-one"},
		{"json syntax", []string{"--dedupe", good, "--id", "rec_id", "--config", badJSON}, "line 4"},
		{"json unknown key", []string{"--dedupe", good, "--id", "rec_id", "--config", extraKey}, "treshold"},
		{"comparator", []string{"--dedupe", good, "--id", "rec_id", "--config", badCmp}, "fields[0].comparator"},
		{"config column", []string{"--dedupe", good, "--id", "rec_id", "--config", noCol}, `column "dob"`},
		{"labels missing id", []string{"--dedupe", good, "--id", "rec_id", "--labels", dupCol}, "labels"},
		{"gen n", []string{"gen", "--n", "0"}, "-n"},
		{"stray argument", []string{"--dedupe", good, "--id", "rec_id", "extra"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runCLI(t, "", nil, append([]string{"link"}, tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q lacks %q", stderr, tt.want)
			}
		})
	}
}

func TestLinkHelp(t *testing.T) {
	_, stderr, code := runCLI(t, "", nil, "link", "-h")
	if code != 0 || !strings.Contains(stderr, "--dedupe FILE.csv") || !strings.Contains(stderr, "-clusters") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

// FuzzLinkInput feeds arbitrary CSV and configuration text to flare link:
// it must succeed or reject the input with exit status 2, never panic or
// fail otherwise.
func FuzzLinkInput(f *testing.F) {
	f.Add("rec_id,given_name,surname\n1,ann,lee\n2,anne,lee\n", "")
	f.Add("rec_id, given_name, date_of_birth\n1, ann, 19900101\n2, ann, 01/01/1990\n", `{"threshold":0.9}`)
	f.Add("rec_id,name\n1,\"a\"\"b\"\n2,\n", `{"fields":[{"column":"name","comparator":"tokens"}],"blocking":[["sorted:name"]]}`)
	f.Add("rec_id,surname\n1\n", `{"fields":[`)
	f.Fuzz(func(t *testing.T, data, config string) {
		dir := t.TempDir()
		args := []string{"link", "--dedupe", "-", "--id", "rec_id"}
		if config != "" {
			args = append(args, "--config", writeFile(t, dir, "c.json", config))
		}
		_, stderr, code := runCLI(t, data, nil, args...)
		if code != 0 && code != 2 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})
}

// TestLinkOutputIsInert: an id crafted as a spreadsheet formula comes out
// of the pairs and clusters files prefixed, so a spreadsheet shows it as
// text (security checklist R-IH3).
func TestLinkOutputIsInert(t *testing.T) {
	in := "id,given_name,surname,date_of_birth\n" +
		"\"=HYPERLINK(\"\"http://x.example\"\")\",Amina,Okafor,1990-01-02\n" +
		"ok-2,Amina,Okafor,1990-01-02\n"
	clusters := filepath.Join(t.TempDir(), "c.csv")
	stdout, stderr, code := runCLI(t, in, nil, "link", "--dedupe", "-", "--id", "id", "--threshold", "0.01", "--clusters", clusters)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("pairs = %v, %v", rows, err)
	}
	for _, cell := range append(rows[1][:2], readCSVFile(t, clusters)[1][0], readCSVFile(t, clusters)[2][0]) {
		if strings.HasPrefix(cell, "=") {
			t.Fatalf("a cell starts with '=': %q", cell)
		}
	}
	if !strings.Contains(stdout, `'=HYPERLINK`) {
		t.Fatalf("the formula id is not prefixed: %s", stdout)
	}
}
