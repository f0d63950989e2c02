package main

import (
	"io"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/wages"
)

// TestFundFlags: the fund's ceilings and eligibility parse, and a malformed
// setting is a usage error naming the flag.
func TestFundFlags(t *testing.T) {
	f := fundFlags{ceilings: "KES:500000, USD:5000.50", eligibility: "identified"}
	r, err := f.rules()
	if err != nil || r.Ceilings["KES"] != wages.Amount(50000000) || r.Ceilings["USD"] != wages.Amount(500050) || r.MinimumStage != flare.VictimIdentified {
		t.Fatalf("rules = %+v, %v", r, err)
	}
	if r, err := (&fundFlags{}).rules(); err != nil || r.Ceilings != nil || r.MinimumStage != "" {
		t.Fatalf("defaults = %+v, %v", r, err)
	}
	for _, bad := range []fundFlags{{ceilings: "XXX:5"}, {ceilings: "USD"}, {ceilings: "USD:-1"}, {ceilings: "USD:1.001"},
		{ceilings: "USD:lots"}, {eligibility: "suspected"}} {
		_, err := bad.rules()
		if flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), "-fund-") {
			t.Errorf("%+v: %v, want a usage error naming the flag", bad, err)
		}
	}
}

// TestCompetentAuthoritiesFlag: the default is the documented list, a
// given list replaces it, and an unknown kind is a usage error.
func TestCompetentAuthoritiesFlag(t *testing.T) {
	var f authoritiesFlag
	fs := newFlagSet("serve", "", io.Discard)
	f.register(fs)
	got, err := f.parse()
	if err != nil || len(got) != len(flare.DefaultCompetentAuthorities()) {
		t.Fatalf("default = %v, %v", got, err)
	}
	f.kinds = "prosecution, judiciary"
	if got, err := f.parse(); err != nil || len(got) != 2 || got[0] != flare.AgencyProsecution {
		t.Fatalf("given = %v, %v", got, err)
	}
	for _, bad := range []string{"sheriff", " , "} {
		f.kinds = bad
		if _, err := f.parse(); flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), "-competent-authorities") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
