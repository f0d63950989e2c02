package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateScreen = flag.Bool("update-screen", false, "rewrite the golden files in testdata/screen/")

func TestScreenGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "screen", "*.input.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no screen golden inputs: %v", err)
	}
	for _, input := range inputs {
		name := strings.TrimSuffix(input, ".input.json")
		for _, format := range []string{"json", "text"} {
			t.Run(filepath.Base(name)+"/"+format, func(t *testing.T) {
				stdout, stderr, code := runCLI(t, "", nil, "screen", "--in", input, "--format", format)
				if code != 0 {
					t.Fatalf("exit %d, stderr %q", code, stderr)
				}
				golden := name + ".json"
				if format == "text" {
					golden = name + ".txt"
				}
				if *updateScreen {
					if err := os.WriteFile(golden, []byte(stdout), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update-screen to create it)", err)
				}
				if stdout != string(want) {
					t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", golden, stdout, want)
				}
			})
		}
	}
}

// screenOutput is the part of the JSON output the tests below look at.
type screenOutput struct {
	Rule        string `json:"rule"`
	Result      string `json:"result"`
	Child       bool   `json:"child"`
	Trafficking struct {
		Flagged bool `json:"flagged"`
	} `json:"trafficking"`
	Episodes    []json.RawMessage `json:"episodes"`
	Excluded    []json.RawMessage `json:"excluded"`
	Explanation []struct {
		Key string `json:"key"`
	} `json:"explanation"`
}

func decodeScreenOutput(t *testing.T, stdout string) screenOutput {
	t.Helper()
	var out screenOutput
	dec := json.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("stdout is not the JSON result: %v\n%s", err, stdout)
	}
	return out
}

func TestScreenReadsStandardInput(t *testing.T) {
	doc := `{"age": 40, "observations": [
	  {"episode": "A", "on": "2025-01-01", "element": "I9", "perpetrator": "employer", "stage": "exit"},
	  {"episode": "A", "on": "2025-01-02", "element": "C3", "perpetrator": "employer", "stage": "exit", "mode": "experienced"}]}`
	stdout, stderr, code := runCLI(t, doc, nil, "screen", "-in", "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	out := decodeScreenOutput(t, stdout)
	if out.Rule != "ICLS-2018" || out.Result != "met" || out.Child || len(out.Episodes) != 1 {
		t.Errorf("output = %+v, want ICLS-2018 met for an adult in one episode", out)
	}
	if out.Explanation[len(out.Explanation)-1].Key != "screening.explain.aid_not_decision" {
		t.Errorf("explanation does not end with the reminder that it is an aid: %+v", out.Explanation)
	}
	for _, key := range []string{`"rule"`, `"result"`, `"child"`, `"trafficking"`, `"episodes"`, `"excluded"`, `"explanation"`} {
		if !strings.Contains(stdout, key) {
			t.Errorf("output lacks the key %s", key)
		}
	}
}

func TestScreenPresumeMinorFlag(t *testing.T) {
	doc := `{"age": null, "may_be_minor": true, "observations": [
	  {"episode": "A", "on": "2025-01-02", "element": "C2", "perpetrator": "employer", "stage": "employment", "mode": "experienced"}]}`
	tests := []struct {
		args      []string
		wantChild bool
		want      string
	}{
		{nil, true, "met"},
		{[]string{"--presume-minor=false"}, false, "possible"},
	}
	for _, tt := range tests {
		args := append([]string{"screen", "--in", "-"}, tt.args...)
		stdout, stderr, code := runCLI(t, doc, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", tt.args, code, stderr)
		}
		out := decodeScreenOutput(t, stdout)
		if out.Child != tt.wantChild || out.Result != tt.want {
			t.Errorf("%v: child %v result %s, want child %v result %s", tt.args, out.Child, out.Result, tt.wantChild, tt.want)
		}
	}
}

func TestScreenBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	valid := write("valid.json", `{"age": 30}`)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string
	}{
		{"missing --in", "", []string{"screen"}, "-in: required"},
		{"unknown format", "", []string{"screen", "--in", valid, "--format", "xml"}, `-format: "xml" is not json or text`},
		{"unknown rule", "", []string{"screen", "--in", valid, "--rule", "ICLS-2013"}, `-rule: unknown rule set "ICLS-2013" (known: ICLS-2018)`},
		{"missing file", "", []string{"screen", "--in", filepath.Join(dir, "nope.json")}, "-in: cannot open"},
		{"extra argument", "", []string{"screen", "--in", valid, "extra"}, `unexpected argument "extra"`},
		{"malformed JSON", `{"age": 30,`, []string{"screen", "--in", "-"}, "input: malformed JSON"},
		{"not JSON", "age,30\n", []string{"screen", "--in", "-"}, "input: malformed JSON"},
		{"unknown element", `{"observations": [{"episode": "A", "on": "2025-01-01", "element": "I10", "perpetrator": "employer", "stage": "exit"}]}`,
			[]string{"screen", "--in", "-"}, `observations[0].element: unknown code "I10"`},
		{"unknown indicator", `{"observations": [{"episode": "A", "on": "2025-01-01", "indicator": "fraud", "perpetrator": "employer", "stage": "exit"}]}`,
			[]string{"screen", "--in", "-"}, `observations[0].indicator: unknown code "fraud"`},
		{"age out of range", `{"age": 200}`, []string{"screen", "--in", "-"}, "age: must be between 0 and 130"},
		{"bad date", `{"reference_period": {"start": "2025-13-01", "end": "2025-12-31"}}`, []string{"screen", "--in", "-"}, "reference_period.start: not a date"},
		{"unknown trafficking means", `{"trafficking": {"means": ["bribery"]}}`, []string{"screen", "--in", "-"}, `trafficking.means[0]: unknown code "bribery"`},
		{"unknown key", `{"worst_form": {}}`, []string{"screen", "--in", "-"}, "worst_form: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tt.stdin, nil, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing on error", stdout)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantErr)
			}
		})
	}
}

func TestScreenRefusesOversizedInput(t *testing.T) {
	big := bytes.Repeat([]byte(" "), maxScreenInput+1)
	_, stderr, code := runCLI(t, string(big), nil, "screen", "--in", "-")
	if code != 2 || !strings.Contains(stderr, "larger than") {
		t.Errorf("exit %d, stderr %q; want 2 and a size message", code, stderr)
	}
}

func TestScreenHelp(t *testing.T) {
	_, stderr, code := runCLI(t, "", nil, "screen", "-h")
	if code != 0 || !strings.Contains(stderr, "Usage: flare screen --in observations.json") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	stdout, _, _ := runCLI(t, "", nil, "help")
	if !strings.Contains(stdout, "screen") {
		t.Errorf("flare help does not list screen:\n%s", stdout)
	}
}
