package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/wages"
)

const wagesSynopsis = "--in claim.json [--format json|text]"

// maxClaimBytes caps the claim file read into memory: a claim of many
// years of weekly periods is well under a megabyte.
const maxClaimBytes = 16 << 20

// runWages computes the wage arrears, recruitment costs and interest a
// worker is owed (issue 8, rules of shared/domain/wages.md); see
// docs/wages.md.
func runWages(_ context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("wages", wagesSynopsis, env.stderr)
	in := fs.String("in", "", "claim JSON: rules, agreed_hourly, periods, costs_paid_by_worker (\"-\" for stdin)")
	format := fs.String("format", "json", "output format: json or text (the computation explained line by line)")
	if err := parseFlags(fs, args, env.getenv, nil); err != nil {
		return err
	}
	if *in == "" {
		return usageError("in", "required: the claim JSON file")
	}
	if *format != "json" && *format != "text" {
		return usageError("format", "%q is not json or text", *format)
	}
	data, err := readInput("in", *in, env.stdin, maxClaimBytes)
	if err != nil {
		return err
	}
	claim, err := wages.DecodeClaim(data)
	if err != nil {
		return claimError(*in, err)
	}
	res, err := wages.Compute(claim)
	if err != nil {
		return claimError(*in, err)
	}
	if *format == "text" {
		return writeWagesText(env.stdout, res)
	}
	out, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	_, err = fmt.Fprintf(env.stdout, "%s\n", out)
	return err
}

// claimError turns the engine's InputErrors into one invalid-input error
// whose message names every field at fault (exit 2).
func claimError(path string, err error) error {
	var errs wages.InputErrors
	if !errors.As(err, &errs) {
		return fmt.Errorf("wages: %w", err)
	}
	fields := map[string]string{}
	for _, e := range errs {
		if e.Field != "" {
			fields[e.Field] = e.Problem
		}
	}
	if path == "-" {
		path = "stdin"
	}
	return &flare.Error{Code: flare.EINVALID, Message: path + ": " + errs.Error(), Fields: fields}
}

// writeWagesText explains the computation line by line, in the order of the
// rules, and ends with the totals and what of them rests on estimated hours.
func writeWagesText(w io.Writer, r wages.Result) error {
	bw := bufio.NewWriter(w)
	money := r.Currency.Format
	fmt.Fprintf(bw, "Wage arrears in %s, interest to %s\n", r.Currency.Code, r.AsOf)
	fmt.Fprintf(bw, "Rules: %s normal hours a week, overtime premium %s, simple interest %s a year (actual days / 365)\n",
		r.Rules.NormalHoursPerWeek, r.Rules.OvertimePremium, r.Rules.AnnualInterestRate)
	for i, p := range r.Periods {
		fmt.Fprintf(bw, "\nPeriod %d: %s to %s, %d days\n", i+1, p.Start, p.End, p.Days)
		if p.Estimated {
			fmt.Fprintln(bw, "  * Hours estimated from the worker's account: every figure of this period rests on them.")
		}
		fmt.Fprintf(bw, "  Rate: %s an hour (minimum wage %s in force from %s; agreed %s)\n",
			p.HourlyRate, p.MinimumWage.Hourly, p.MinimumWage.From, p.AgreedHourly)
		fmt.Fprintf(bw, "  Hours: %s worked; normal limit %s × %d / 7 = %s; normal %s, overtime %s\n",
			p.HoursWorked, r.Rules.NormalHoursPerWeek, p.Days, hours(p.NormalHoursLimit), hours(p.NormalHours), hours(p.OvertimeHours))
		fmt.Fprintf(bw, "  Normal pay due:   %s h × %s = %s\n", hours(p.NormalHours), p.HourlyRate, money(p.NormalPayDue))
		fmt.Fprintf(bw, "  Overtime pay due: %s h × %s = %s\n", hours(p.OvertimeHours), hours(p.OvertimeHourlyRate), money(p.OvertimePayDue))
		fmt.Fprintf(bw, "  Wages due: %s\n", money(p.WagesDue))
		fmt.Fprintf(bw, "  Credited to the employer: paid %s + lawful deductions %s = %s\n", money(p.Paid), money(p.LawfulDeductions), money(p.Credited))
		fmt.Fprintf(bw, "  Kept unlawfully (not credited): %s\n", money(p.UnlawfulDeductionsTaken))
		fmt.Fprintf(bw, "  Arrears: %s = unlawful deductions %s + unpaid overtime %s + underpayment %s\n",
			money(p.Arrears), money(p.UnlawfulDeductions), money(p.UnpaidOvertime), money(p.Underpayment))
		fmt.Fprintf(bw, "  Interest: %s × %s × %d / 365 = %s\n", money(p.Arrears), r.Rules.AnnualInterestRate, p.InterestDays, money(p.Interest))
		fmt.Fprintf(bw, "  Period total: %s%s\n", money(p.Total), estimatedMark(p.Estimated))
	}
	if len(r.Costs) > 0 {
		fmt.Fprintln(bw, "\nRecruitment fees and related costs paid by the worker (reimbursable in full):")
		for _, c := range r.Costs {
			fmt.Fprintf(bw, "  %s %s: %s + interest %s × %s × %d / 365 = %s → %s\n",
				c.Date, c.Kind, money(c.Amount), money(c.Amount), r.Rules.AnnualInterestRate, c.InterestDays, money(c.Interest), money(c.Total))
		}
	}
	rows := []struct {
		name     string
		all, est wages.Amount
	}{
		{"Underpayment", r.Totals.Underpayment, r.FromEstimatedHours.Underpayment},
		{"Unpaid overtime", r.Totals.UnpaidOvertime, r.FromEstimatedHours.UnpaidOvertime},
		{"Unlawful deductions", r.Totals.UnlawfulDeductions, r.FromEstimatedHours.UnlawfulDeductions},
		{"Recruitment costs", r.Totals.RecruitmentCosts, r.FromEstimatedHours.RecruitmentCosts},
		{"Interest", r.Totals.Interest, r.FromEstimatedHours.Interest},
		{"Total", r.Totals.Total, r.FromEstimatedHours.Total},
	}
	// Right-align the amounts under their headings, whatever their width.
	width := len("owed")
	for _, row := range rows {
		width = max(width, len(money(row.all)))
	}
	fmt.Fprintf(bw, "\n%-20s  %*s  %s\n", "Totals", width, "owed", "of which on estimated hours")
	for _, row := range rows {
		fmt.Fprintf(bw, "%-20s  %*s  %*s\n", row.name, width, money(row.all), len("of which on estimated hours"), money(row.est))
	}
	if r.FromEstimatedHours.Total != 0 {
		fmt.Fprintln(bw, "\n* rests on hours estimated from the worker's account.")
	}
	return bw.Flush()
}

// hours shows an exact quantity to 4 decimal places, marking a rounded one.
func hours(q wages.Quantity) string {
	if q.IsExact(4) {
		return q.Round(4)
	}
	return "≈" + q.Round(4)
}

func estimatedMark(estimated bool) string {
	if estimated {
		return " *"
	}
	return ""
}
