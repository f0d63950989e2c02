package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/flare-ilo/flare/sqlstore/storetest"
)

func TestUserCommand(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		db := dbArgs(t, dbURL)
		if _, e, code := runCLI(t, "", nil, append([]string{"agency", "create", "--name", "Police HQ", "--kind", "police"}, db...)...); code != 0 {
			t.Fatalf("agency create: %s", e)
		}
		out, errOut, code := runCLI(t, "", []string{"FLARE_BASE_URL=https://flare.gov.example"},
			append([]string{"user", "create", "--agency", "Police HQ", "--role", "admin, supervisor", "--email", "Chief@Police.example"}, db...)...)
		if code != 0 {
			t.Fatalf("user create = %d %s", code, errOut)
		}
		if !regexp.MustCompile(`https://flare\.gov\.example/enrol/[A-Za-z0-9_-]{43}\n`).MatchString(out) {
			t.Fatalf("no enrolment link in %q", out)
		}
		_, errOut, code = runCLI(t, "", nil, append([]string{"user", "create", "--agency", "Police HQ", "--role", "admin", "--email", "chief@police.example"}, db...)...)
		if code != 4 {
			t.Fatalf("duplicate email = %d %s, want 4", code, errOut)
		}
		out, errOut, code = runCLI(t, "", nil, append([]string{"user", "disable", "--email", "chief@police.example"}, db...)...)
		if code != 0 || !strings.Contains(out, "disabled chief@police.example") {
			t.Fatalf("disable = %d %q %s", code, out, errOut)
		}
		out, errOut, code = runCLI(t, "", nil, append([]string{"user", "unlock", "--email", "chief@police.example"}, db...)...)
		if code != 0 || !strings.Contains(out, "unlocked chief@police.example") {
			t.Fatalf("unlock = %d %q %s", code, out, errOut)
		}
	})
}

func TestUserCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := runCLI(t, "", nil, "agency", "create", "--name", "NGO", "--kind", "ngo", "--data", dir); code != 0 {
		t.Fatal(e)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"user", "create", "--agency", "NGO", "--role", "caseworker", "--data", dir}, "-email: is required"},
		{[]string{"user", "create", "--role", "caseworker", "--email", "a@b.example", "--data", dir}, "-agency: is required"},
		{[]string{"user", "create", "--agency", "Nope", "--role", "caseworker", "--email", "a@b.example", "--data", dir}, `no agency named "Nope"`},
		{[]string{"user", "create", "--agency", "NGO", "--email", "a@b.example", "--data", dir}, "-role: is required"},
		{[]string{"user", "create", "--agency", "NGO", "--role", "wizard", "--email", "a@b.example", "--data", dir}, `"wizard" is not a role`},
		{[]string{"user", "create", "--agency", "NGO", "--role", "caseworker", "--email", "not-an-email", "--data", dir}, "not an email address"},
		{[]string{"user", "create", "--agency", "NGO", "--role", "caseworker", "--email", "a@b.example", "--base-url", "ftp://x", "--data", dir}, "-base-url"},
		{[]string{"user", "promote", "--email", "a@b.example", "--data", dir}, `unknown action "promote"`},
		{[]string{"user", "--email", "a@b.example", "--data", dir}, "usage: flare user"},
	}
	for _, tt := range tests {
		_, errOut, code := runCLI(t, "", nil, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("flare %v = %d %q; want 2 and %q", tt.args[:2], code, errOut, tt.want)
		}
	}
}
