package main

import (
	"flag"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/wages"
)

// fundFlags are the country's rules for the state compensation fund (issue
// #8). They are legal choices: no ceiling and no eligibility condition
// unless the operator sets them.
type fundFlags struct {
	ceilings, eligibility string
}

// fundEnv maps the fund flags to their environment variables.
var fundEnv = map[string]string{"fund-ceiling": "FLARE_FUND_CEILING", "fund-eligibility": "FLARE_FUND_ELIGIBILITY"}

func (f *fundFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.ceilings, "fund-ceiling", "", "the most the compensation fund pays on one claim, per currency, e.g. `KES:500000,USD:5000` (env FLARE_FUND_CEILING; default none)")
	fs.StringVar(&f.eligibility, "fund-eligibility", "", "the victim status a worker needs for the fund to pay: presumed or identified (env FLARE_FUND_ELIGIBILITY; default none)")
}

// rules parses the flags into the fund's rules, refusing a malformed
// setting with exit 2.
func (f *fundFlags) rules() (sqlstore.FundRules, error) {
	var r sqlstore.FundRules
	switch flare.VictimStage(f.eligibility) {
	case "", flare.VictimPresumed, flare.VictimIdentified:
		r.MinimumStage = flare.VictimStage(f.eligibility)
	default:
		return r, usageError("fund-eligibility", "must be presumed or identified")
	}
	for _, part := range strings.Split(f.ceilings, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, amount, ok := strings.Cut(part, ":")
		cur, known := wages.LookupCurrency(strings.TrimSpace(code))
		if !ok || !known {
			return r, usageError("fund-ceiling", "%q is not CURRENCY:AMOUNT with an ISO 4217 currency", part)
		}
		d, err := wages.ParseDecimal(strings.TrimSpace(amount))
		if err != nil {
			return r, usageError("fund-ceiling", "%q: the amount is not a number", part)
		}
		a, err := cur.Amount(d)
		if err != nil || a <= 0 {
			return r, usageError("fund-ceiling", "%q: the amount must be positive, in the currency's minor unit at most", part)
		}
		if r.Ceilings == nil {
			r.Ceilings = map[string]wages.Amount{}
		}
		r.Ceilings[cur.Code] = a
	}
	return r, nil
}

// authoritiesFlag names the kinds of agency competent to record an
// identified victim (issue #7).
type authoritiesFlag struct{ kinds string }

// authoritiesEnv maps the flag to its environment variable.
var authoritiesEnv = map[string]string{"competent-authorities": "FLARE_COMPETENT_AUTHORITIES"}

func (f *authoritiesFlag) register(fs *flag.FlagSet) {
	var def []string
	for _, k := range flare.DefaultCompetentAuthorities() {
		def = append(def, string(k))
	}
	fs.StringVar(&f.kinds, "competent-authorities", strings.Join(def, ","),
		"the kinds of agency that may record an identified victim, comma-separated (env FLARE_COMPETENT_AUTHORITIES)")
}

// parse reads the kinds, refusing an unknown one with exit 2.
func (f *authoritiesFlag) parse() ([]flare.AgencyKind, error) {
	var out []flare.AgencyKind
	for _, k := range strings.Split(f.kinds, ",") {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		if !flare.AgencyKind(k).Valid() {
			return nil, usageError("competent-authorities", "%q is not a kind of agency", k)
		}
		out = append(out, flare.AgencyKind(k))
	}
	if len(out) == 0 {
		return nil, usageError("competent-authorities", "name at least one kind of agency")
	}
	return out, nil
}
