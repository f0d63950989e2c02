package main

import (
	"flag"
	"fmt"

	"github.com/flare-ilo/flare"
)

// protectionFlags are the lengths a country sets for the protection of
// victims and the victim-status decisions (issue #6). Each default is
// documented in flare.ProtectionConfig and docs/protection.md.
type protectionFlags struct{ cfg flare.ProtectionConfig }

// protectionEnv maps the protection flags to their environment variables.
var protectionEnv = map[string]string{
	"recovery-period-days":        "FLARE_RECOVERY_PERIOD_DAYS",
	"residence-permit-days":       "FLARE_RESIDENCE_PERMIT_DAYS",
	"periods-ending-days":         "FLARE_PERIODS_ENDING_DAYS",
	"first-decision-working-days": "FLARE_FIRST_DECISION_WORKING_DAYS",
}

func (f *protectionFlags) register(fs *flag.FlagSet) {
	def := flare.DefaultProtectionConfig()
	fs.IntVar(&f.cfg.RecoveryPeriodDays, "recovery-period-days", def.RecoveryPeriodDays,
		"length in `days` of a recovery and reflection period recorded without an end; the conclusive victim-status decision waits for it (Council of Europe Convention CETS 197 art. 13: at least 30) (env FLARE_RECOVERY_PERIOD_DAYS)")
	fs.IntVar(&f.cfg.ResidencePermitDays, "residence-permit-days", def.ResidencePermitDays,
		"length in `days` of a temporary residence permit recorded without an end (EU Directive 2004/81/EC art. 8(3): at least six months) (env FLARE_RESIDENCE_PERMIT_DAYS)")
	fs.IntVar(&f.cfg.EndingDays, "periods-ending-days", def.EndingDays,
		"how many `days` ahead the list of protection periods ending soon looks by default (env FLARE_PERIODS_ENDING_DAYS)")
	fs.IntVar(&f.cfg.FirstDecisionWorkingDays, "first-decision-working-days", def.FirstDecisionWorkingDays,
		"working `days` (Monday to Friday) after a person is suspected to be a victim within which the first decision is due (UK NRM: 5) (env FLARE_FIRST_DECISION_WORKING_DAYS)")
}

// check refuses a length out of range with exit 2, naming the flag.
func (f *protectionFlags) check() error {
	err := f.cfg.Validate()
	if e, ok := err.(*flare.Error); ok {
		for name, msg := range e.Fields {
			return usageError(name, "%s", msg)
		}
	}
	if err != nil {
		return fmt.Errorf("protection settings: %w", err)
	}
	return nil
}
