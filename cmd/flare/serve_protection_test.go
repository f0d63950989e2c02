package main

import (
	"io"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
)

// TestProtectionFlags: the defaults are the documented ones, the flags and
// their environment variables set them, and a length out of range is a
// usage error naming the flag.
func TestProtectionFlags(t *testing.T) {
	var f protectionFlags
	fs := newFlagSet("serve", "", io.Discard)
	f.register(fs)
	if err := parseFlags(fs, nil, func(string) string { return "" }, protectionEnv); err != nil {
		t.Fatal(err)
	}
	if f.cfg != flare.DefaultProtectionConfig() || f.check() != nil {
		t.Fatalf("defaults = %+v", f.cfg)
	}
	env := map[string]string{"FLARE_RECOVERY_PERIOD_DAYS": "45"}
	var g protectionFlags
	fs = newFlagSet("serve", "", io.Discard)
	g.register(fs)
	if err := parseFlags(fs, []string{"-residence-permit-days", "365", "-first-decision-working-days", "10"},
		func(k string) string { return env[k] }, protectionEnv); err != nil {
		t.Fatal(err)
	}
	if g.cfg.RecoveryPeriodDays != 45 || g.cfg.ResidencePermitDays != 365 || g.cfg.FirstDecisionWorkingDays != 10 || g.cfg.EndingDays != 14 {
		t.Fatalf("set = %+v", g.cfg)
	}
	for flagName, bad := range map[string]flare.ProtectionConfig{
		"-recovery-period-days":        {RecoveryPeriodDays: 0, ResidencePermitDays: 180, EndingDays: 14, FirstDecisionWorkingDays: 5},
		"-residence-permit-days":       {RecoveryPeriodDays: 30, ResidencePermitDays: 99999, EndingDays: 14, FirstDecisionWorkingDays: 5},
		"-periods-ending-days":         {RecoveryPeriodDays: 30, ResidencePermitDays: 180, EndingDays: -1, FirstDecisionWorkingDays: 5},
		"-first-decision-working-days": {RecoveryPeriodDays: 30, ResidencePermitDays: 180, EndingDays: 14, FirstDecisionWorkingDays: 0},
	} {
		err := (&protectionFlags{cfg: bad}).check()
		if flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(err.Error(), flagName) {
			t.Errorf("%+v: %v, want a usage error naming %s", bad, err, flagName)
		}
	}
}
