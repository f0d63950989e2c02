package flare

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{Errorf(EINVALID, "x"), 2},
		{fmt.Errorf("wrapped: %w", Errorf(EINVALID, "x")), 2},
		{Errorf(ENOTFOUND, "x"), 3},
		{Errorf(ECONFLICT, "x"), 4},
		{Errorf(EUNAUTHORIZED, "x"), 5},
		{Errorf(EFORBIDDEN, "x"), 5},
		{Errorf(EINTERNAL, "x"), 1},
		{errors.New("disk full"), 1},
	}
	for _, tt := range tests {
		if got := ExitCode(tt.err); got != tt.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestErrorMessageOfHidesInternals(t *testing.T) {
	if got := ErrorMessageOf(errors.New("pq: password authentication failed for user x")); got != "internal error" {
		t.Errorf("internal error leaked: %q", got)
	}
	if got := ErrorMessageOf(FieldError("title", "is required")); got != "title: is required" {
		t.Errorf("message = %q", got)
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  plain  ", "plain"},
		{"e\u0301", "\u00e9"},              // NFC
		{"abc\u202Egnp.exe", "abcgnp.exe"}, // right-to-left override
		{"\u2067name\u2069", "name"},       // isolates
		{"a\x00b\x1bc", "abc"},             // control characters
		{"line1\nline2", "line1\nline2"},   // free text keeps line breaks
		{"محمد", "محمد"},                   // Arabic untouched
	}
	for _, tt := range tests {
		if got := CleanText(tt.in); got != tt.want {
			t.Errorf("CleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := CleanLine("a\nlevel=ERROR\r\tb"); got != "a level=ERROR  b" {
		t.Errorf("CleanLine = %q", got)
	}
}

func TestAgencyValidate(t *testing.T) {
	tests := []struct {
		a     Agency
		field string
	}{
		{Agency{Name: "Police", Kind: AgencyPolice}, ""},
		{Agency{Name: "", Kind: AgencyPolice}, "name"},
		{Agency{Name: strings.Repeat("a", MaxNameLength+1), Kind: AgencyPolice}, "name"},
		{Agency{Name: "Army", Kind: "army"}, "kind"},
	}
	for _, tt := range tests {
		checkField(t, tt.a.Validate(), tt.field)
	}
	for _, k := range AgencyKinds() {
		if !k.Valid() {
			t.Errorf("%q not valid", k)
		}
	}
}

// TestCaseWorkflow checks every pair of statuses against the workflow of
// issue #5: a case is prosecuted only after an investigation, and a closed
// case can only reopen.
func TestCaseWorkflow(t *testing.T) {
	allowed := map[CaseStatus]string{
		CaseOpen:          "assessment referred investigation closed",
		CaseAssessment:    "open referred investigation closed",
		CaseReferred:      "assessment investigation closed",
		CaseInvestigation: "referred proceedings closed",
		CaseProceedings:   "investigation closed",
		CaseClosed:        "open",
	}
	for _, from := range CaseStatuses() {
		for _, to := range CaseStatuses() {
			want := from == to || slices.Contains(strings.Fields(allowed[from]), string(to))
			if got := from.CanMoveTo(to); got != want {
				t.Errorf("%s -> %s: CanMoveTo = %v, want %v", from, to, got, want)
			}
		}
		var next []string
		for _, n := range from.NextStatuses() {
			next = append(next, string(n))
		}
		if got := strings.Join(next, " "); got != allowed[from] {
			t.Errorf("NextStatuses(%s) = %q, want %q", from, got, allowed[from])
		}
	}
}

func TestCaseValidate(t *testing.T) {
	day := time.Date(2026, 5, 1, 13, 0, 0, 0, time.FixedZone("x", 3*3600))
	before := day.AddDate(0, 0, -2)
	after := day.AddDate(0, 0, 2)
	ok := func() Case {
		return Case{AgencyID: "a", Reference: "LI/2026-1", Title: "Farm", Status: CaseOpen, OpenedOn: day}
	}
	tests := []struct {
		name  string
		edit  func(*Case)
		field string
	}{
		{"valid", func(*Case) {}, ""},
		{"no agency", func(c *Case) { c.AgencyID = "" }, "agency_id"},
		{"no reference", func(c *Case) { c.Reference = " " }, "reference"},
		{"reference with space", func(c *Case) { c.Reference = "a b" }, "reference"},
		{"reference path", func(c *Case) { c.Reference = "../x" }, "reference"},
		{"reference too long", func(c *Case) { c.Reference = strings.Repeat("a", 65) }, "reference"},
		{"arabic reference", func(c *Case) { c.Reference = "قضية-١" }, ""},
		{"no title", func(c *Case) { c.Title = "" }, "title"},
		{"bad status", func(c *Case) { c.Status = "lost" }, "status"},
		{"no opened", func(c *Case) { c.OpenedOn = time.Time{} }, "opened_on"},
		{"closed without date", func(c *Case) { c.Status = CaseClosed }, "closed_on"},
		{"date without closed", func(c *Case) { c.ClosedOn = &after }, "closed_on"},
		{"closed before opened", func(c *Case) { c.Status = CaseClosed; c.ClosedOn = &before }, "closed_on"},
		{"closed without a reason", func(c *Case) { c.Status = CaseClosed; c.ClosedOn = &after }, "closure_reason"},
		{"closed with an unknown reason", func(c *Case) { c.Status = CaseClosed; c.ClosedOn = &after; c.ClosureReason = "bored" }, "closure_reason"},
		{"reason on an open case", func(c *Case) { c.ClosureReason = ClosureResolved }, "closure_reason"},
		{"region too long", func(c *Case) { c.Region = strings.Repeat("r", MaxNameLength+1) }, "region"},
		{"closed properly", func(c *Case) { c.Status = CaseClosed; c.ClosedOn = &after; c.ClosureReason = ClosureDuplicate }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok()
			tt.edit(&c)
			checkField(t, c.Validate(), tt.field)
		})
	}
	c := ok()
	if err := c.Validate(); err != nil || !c.OpenedOn.Equal(time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("opened_on not reduced to its UTC date: %v %v", c.OpenedOn, err)
	}
}

func checkField(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Errorf("unexpected error %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("error = %v, want invalid %s", err, field)
	}
	if _, ok := e.Fields[field]; !ok {
		t.Errorf("error %v does not name field %q", err, field)
	}
}
