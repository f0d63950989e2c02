package flare

import (
	"strings"
	"testing"
	"time"
)

func validProceeding() *Proceeding {
	return &Proceeding{CaseID: "c", Kind: ProceedingCriminal, Reference: " CR-1/2026 ", OpenedOn: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
}

func TestProceedingValidate(t *testing.T) {
	closed := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	early := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		edit  func(*Proceeding)
		field string
	}{
		{"valid, first stage by default", func(*Proceeding) {}, ""},
		{"closed with outcome", func(p *Proceeding) { p.Stage, p.ClosedOn, p.Outcome = StageClosed, &closed, OutcomeConvicted }, ""},
		{"civil settled", func(p *Proceeding) { p.Kind, p.Stage, p.Outcome = ProceedingCivil, StageJudgment, OutcomeSettled }, ""},
		{"fine", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyFine, Amount: 50000, Currency: "usd"}} }, ""},
		{"suspended prison", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyImprisonment, Months: 24, Suspended: true}} }, ""},
		{"no case", func(p *Proceeding) { p.CaseID = "" }, "case_id"},
		{"unknown kind", func(p *Proceeding) { p.Kind = "military" }, "kind"},
		{"no reference", func(p *Proceeding) { p.Reference = "" }, "reference"},
		{"no opening date", func(p *Proceeding) { p.OpenedOn = time.Time{} }, "opened_on"},
		{"stage of civil on criminal", func(p *Proceeding) { p.Stage = StageFiled }, "stage"},
		{"outcome of civil on criminal", func(p *Proceeding) { p.Outcome = OutcomeUpheld }, "outcome"},
		{"closed without date", func(p *Proceeding) { p.Stage, p.Outcome = StageClosed, OutcomeAcquitted }, "closed_on"},
		{"date without closing", func(p *Proceeding) { p.ClosedOn = &closed }, "closed_on"},
		{"closed before opened", func(p *Proceeding) { p.Stage, p.ClosedOn, p.Outcome = StageClosed, &early, OutcomeDismissed }, "closed_on"},
		{"closed without outcome", func(p *Proceeding) { p.Stage, p.ClosedOn = StageClosed, &closed }, "outcome"},
		{"penalty kind", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: "flogging"}} }, "penalties[0].kind"},
		{"fine without amount", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyFine, Currency: "USD"}} }, "penalties[0].amount"},
		{"negative amount", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyOrder, Amount: -1, Currency: "USD"}} }, "penalties[0].amount"},
		{"amount without currency", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyFine, Amount: 10}} }, "penalties[0].currency"},
		{"unknown currency", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyFine, Amount: 10, Currency: "ZZZ"}} }, "penalties[0].currency"},
		{"currency without amount", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyOrder, Currency: "USD"}} }, "penalties[0].amount"},
		{"prison without months", func(p *Proceeding) { p.Penalties = []Penalty{{Kind: PenaltyImprisonment}} }, "penalties[0].months"},
		{"months on a fine", func(p *Proceeding) {
			p.Penalties = []Penalty{{Kind: PenaltyFine, Amount: 1, Currency: "USD", Months: 2}}
		}, "penalties[0].months"},
		{"absurd months", func(p *Proceeding) {
			p.Penalties = []Penalty{{Kind: PenaltyImprisonment, Months: MaxPenaltyMonths + 1}}
		}, "penalties[0].months"},
		{"long note", func(p *Proceeding) {
			p.Penalties = []Penalty{{Kind: PenaltyOther, Note: strings.Repeat("n", MaxPenaltyNote+1)}}
		}, "penalties[0].note"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := validProceeding()
			tc.edit(p)
			err := p.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if p.Reference != "CR-1/2026" || p.Stage == "" || p.Penalties == nil || !p.OpenedOn.Equal(DateOf(p.OpenedOn)) {
					t.Fatalf("not normalised: %+v", p)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Code != EINVALID || e.Fields[tc.field] == "" {
				t.Fatalf("error = %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestProceedingStagesAndOutcomes(t *testing.T) {
	for _, k := range ProceedingKinds() {
		st := ProceedingStages(k)
		if len(st) < 3 || st[len(st)-1] != StageClosed || st[len(st)-2] != StageAppeal {
			t.Errorf("%s stages = %v: want the kind's own, then appeal and closed", k, st)
		}
		if len(ProceedingOutcomes(k)) < 3 {
			t.Errorf("%s outcomes = %v", k, ProceedingOutcomes(k))
		}
	}
}

func TestProceedingUpdateApply(t *testing.T) {
	today := time.Date(2026, 10, 5, 13, 0, 0, 0, time.UTC)
	p := validProceeding()
	closed := StageClosed
	changed := ProceedingUpdate{Stage: &closed}.Apply(p, today)
	if p.ClosedOn == nil || !p.ClosedOn.Equal(DateOf(today)) || strings.Join(changed, ",") != "stage,closed_on" {
		t.Fatalf("closing: %v %v", p.ClosedOn, changed)
	}
	appeal := StageAppeal
	ProceedingUpdate{Stage: &appeal}.Apply(p, today)
	if p.ClosedOn != nil {
		t.Fatal("reopening kept the closing date")
	}
}

func TestLegalHoldReason(t *testing.T) {
	h := LegalHold{Kind: ProceedingCriminal, Reference: "CR-12/2026", OpenedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
	if got := h.Reason(); got != "criminal proceeding CR-12/2026 open since 2026-03-14" {
		t.Fatalf("reason = %q", got)
	}
	if _, err := CleanErasureReason(" \n "); err == nil {
		t.Fatal("empty reason accepted")
	}
	if r, err := CleanErasureReason(" Request\nof the person "); err != nil || r != "Request of the person" {
		t.Fatalf("reason = %q, %v", r, err)
	}
}

func TestPenaltyFormatAmount(t *testing.T) {
	if got := (Penalty{Amount: 150000, Currency: "USD"}).FormatAmount(); got != "1500.00" {
		t.Fatalf("USD = %q", got)
	}
	if got := (Penalty{Amount: 1500, Currency: "JPY"}).FormatAmount(); got != "1500" {
		t.Fatalf("JPY = %q", got)
	}
}
