package flare

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/flare-ilo/flare/wages"
)

// Proceeding is an administrative, criminal or civil proceeding in a case
// (issue #6, enforcement records): against which people and organisations
// of the case, at which stage, with what outcome and penalties. Forced
// labour calls for "appropriate and effective" and "dissuasive" penalties
// (ILO Protocol of 2014 to the Forced Labour Convention, Art. 1; 2013
// Tripartite Meeting of Experts, conclusions ¶21), so the stage, outcome
// and penalties are plaintext codes and numbers, queryable for the
// prosecution statistics; only the free-text notes of penalties are sealed.
type Proceeding struct {
	ID     string          `json:"id"`
	CaseID string          `json:"case_id"`
	Kind   ProceedingKind  `json:"kind"`
	Stage  ProceedingStage `json:"stage"`
	// Reference is the court or file number.
	Reference string `json:"reference"`
	// OpenedOn and ClosedOn are calendar dates (UTC midnight); ClosedOn is
	// set exactly when the stage is closed.
	OpenedOn time.Time  `json:"opened_on"`
	ClosedOn *time.Time `json:"closed_on,omitempty"`
	// PersonIDs and OrganisationIDs are who the proceeding is against,
	// people and organisations of the same case.
	PersonIDs       []string `json:"person_ids"`
	OrganisationIDs []string `json:"organisation_ids"`
	// Outcome is empty until decided; required to close.
	Outcome   ProceedingOutcome `json:"outcome,omitempty"`
	Penalties []Penalty         `json:"penalties"`
	// AgencyID is the agency that recorded the proceeding; RecordedBy the
	// user ("console" for the operator).
	AgencyID   string    `json:"agency_id"`
	RecordedBy string    `json:"recorded_by"`
	Version    int64     `json:"version"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ProceedingKind is the branch of law a proceeding runs under.
type ProceedingKind string

// The kinds of proceeding.
const (
	// ProceedingAdministrative: fines and orders of an administrative
	// authority, such as the labour inspectorate.
	ProceedingAdministrative ProceedingKind = "administrative"
	// ProceedingCriminal: investigation, charges, trial, verdict, sentence.
	ProceedingCriminal ProceedingKind = "criminal"
	// ProceedingCivil: a labour or civil court hearing claims.
	ProceedingCivil ProceedingKind = "civil"
)

// ProceedingKinds lists the kinds, in form order.
func ProceedingKinds() []ProceedingKind {
	return []ProceedingKind{ProceedingCriminal, ProceedingAdministrative, ProceedingCivil}
}

// ProceedingStage is where a proceeding stands. Each kind has its own
// closed list (ProceedingStages); appeal and closed are common to all.
type ProceedingStage string

// The stages of proceedings.
const (
	StageOpened        ProceedingStage = "opened"
	StageDecided       ProceedingStage = "decided"
	StageInvestigation ProceedingStage = "investigation"
	StageCharged       ProceedingStage = "charged"
	StageTrial         ProceedingStage = "trial"
	StageVerdict       ProceedingStage = "verdict"
	StageFiled         ProceedingStage = "filed"
	StageJudgment      ProceedingStage = "judgment"
	StageAppeal        ProceedingStage = "appeal"
	StageClosed        ProceedingStage = "closed"
)

// ProceedingStages lists the stages of a kind in their usual order; a
// proceeding may move to any of them (a case can go back from trial to
// investigation, or skip the appeal). The first is where it starts.
func ProceedingStages(k ProceedingKind) []ProceedingStage {
	switch k {
	case ProceedingAdministrative:
		return []ProceedingStage{StageOpened, StageDecided, StageAppeal, StageClosed}
	case ProceedingCriminal:
		return []ProceedingStage{StageInvestigation, StageCharged, StageTrial, StageVerdict, StageAppeal, StageClosed}
	case ProceedingCivil:
		return []ProceedingStage{StageFiled, StageJudgment, StageAppeal, StageClosed}
	}
	return nil
}

// ProceedingOutcome is how a proceeding ended, or the decision at first
// instance.
type ProceedingOutcome string

// The outcomes of proceedings.
const (
	OutcomeConvicted ProceedingOutcome = "convicted"
	OutcomeAcquitted ProceedingOutcome = "acquitted"
	OutcomeFined     ProceedingOutcome = "fined"
	OutcomeOrdered   ProceedingOutcome = "ordered"
	OutcomeNoBreach  ProceedingOutcome = "no_breach"
	OutcomeUpheld    ProceedingOutcome = "upheld"
	OutcomeRejected  ProceedingOutcome = "rejected"
	OutcomeSettled   ProceedingOutcome = "settled"
	OutcomeDismissed ProceedingOutcome = "dismissed"
	OutcomeWithdrawn ProceedingOutcome = "withdrawn"
)

// ProceedingOutcomes lists the outcomes a kind of proceeding can have.
func ProceedingOutcomes(k ProceedingKind) []ProceedingOutcome {
	switch k {
	case ProceedingAdministrative:
		return []ProceedingOutcome{OutcomeFined, OutcomeOrdered, OutcomeNoBreach, OutcomeDismissed, OutcomeWithdrawn}
	case ProceedingCriminal:
		return []ProceedingOutcome{OutcomeConvicted, OutcomeAcquitted, OutcomeDismissed, OutcomeWithdrawn}
	case ProceedingCivil:
		return []ProceedingOutcome{OutcomeUpheld, OutcomeRejected, OutcomeSettled, OutcomeDismissed, OutcomeWithdrawn}
	}
	return nil
}

// Open reports whether the proceeding is still running: not closed.
func (p *Proceeding) Open() bool { return p.Stage != StageClosed }

// Penalty is one penalty a proceeding imposed.
type Penalty struct {
	Kind PenaltyKind `json:"kind"`
	// Amount is in minor units of Currency (ISO 4217): required for a fine,
	// optional for an order to pay.
	Amount   int64  `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	// Months of imprisonment, required for imprisonment.
	Months    int  `json:"months,omitempty"`
	Suspended bool `json:"suspended"`
	// Note is free text, sealed: it may name people.
	Note string `json:"note,omitempty"`
}

// PenaltyKind is what a penalty is.
type PenaltyKind string

// The kinds of penalty.
const (
	PenaltyFine         PenaltyKind = "fine"
	PenaltyImprisonment PenaltyKind = "imprisonment"
	PenaltyOrder        PenaltyKind = "order"
	PenaltyOther        PenaltyKind = "other"
)

// PenaltyKinds lists the kinds of penalty.
func PenaltyKinds() []PenaltyKind {
	return []PenaltyKind{PenaltyFine, PenaltyImprisonment, PenaltyOrder, PenaltyOther}
}

// Limits of a proceeding record.
const (
	MaxPenalties      = 20
	MaxProceedingSide = 50
	MaxPenaltyNote    = 2000
	// MaxPenaltyMonths bounds months of imprisonment (100 years): more is a
	// typo, not a sentence.
	MaxPenaltyMonths = 1200
)

// Validate normalises the proceeding's fields and checks each one.
func (p *Proceeding) Validate() error {
	p.Reference = CleanLine(p.Reference)
	p.PersonIDs = uniqueIDs(p.PersonIDs)
	p.OrganisationIDs = uniqueIDs(p.OrganisationIDs)
	if p.Penalties == nil {
		p.Penalties = []Penalty{}
	}
	switch {
	case p.CaseID == "":
		return FieldError("case_id", "is required")
	case !slices.Contains(ProceedingKinds(), p.Kind):
		return FieldError("kind", "must be administrative, criminal or civil")
	case p.Reference == "":
		return FieldError("reference", "is required: the court or file number")
	case utf8.RuneCountInString(p.Reference) > MaxNameLength:
		return FieldError("reference", "is longer than %d characters", MaxNameLength)
	case p.OpenedOn.IsZero():
		return FieldError("opened_on", "is required")
	case len(p.PersonIDs)+len(p.OrganisationIDs) > MaxProceedingSide:
		return FieldError("person_ids", "at most %d people and organisations", MaxProceedingSide)
	case len(p.Penalties) > MaxPenalties:
		return FieldError("penalties", "at most %d penalties", MaxPenalties)
	}
	if p.Stage == "" {
		p.Stage = ProceedingStages(p.Kind)[0]
	}
	if !slices.Contains(ProceedingStages(p.Kind), p.Stage) {
		return FieldError("stage", "%q is not a stage of a %s proceeding; one of %s", p.Stage, p.Kind, joinStrings(ProceedingStages(p.Kind)))
	}
	if p.Outcome != "" && !slices.Contains(ProceedingOutcomes(p.Kind), p.Outcome) {
		return FieldError("outcome", "%q is not an outcome of a %s proceeding; one of %s", p.Outcome, p.Kind, joinStrings(ProceedingOutcomes(p.Kind)))
	}
	p.OpenedOn = DateOf(p.OpenedOn)
	if p.ClosedOn != nil {
		d := DateOf(*p.ClosedOn)
		p.ClosedOn = &d
		if d.Before(p.OpenedOn) {
			return FieldError("closed_on", "is before opened_on")
		}
	}
	switch {
	case (p.Stage == StageClosed) != (p.ClosedOn != nil):
		return FieldError("closed_on", "must be set exactly when the stage is closed")
	case p.Stage == StageClosed && p.Outcome == "":
		return FieldError("outcome", "is required to close a proceeding: one of %s", joinStrings(ProceedingOutcomes(p.Kind)))
	}
	for i := range p.Penalties {
		if err := p.Penalties[i].validate(i); err != nil {
			return err
		}
	}
	return nil
}

func (pe *Penalty) validate(i int) error {
	pe.Note = CleanText(pe.Note)
	pe.Currency = strings.ToUpper(CleanLine(pe.Currency))
	field := func(name string) string { return fmt.Sprintf("penalties[%d].%s", i, name) }
	switch {
	case !slices.Contains(PenaltyKinds(), pe.Kind):
		return FieldError(field("kind"), "must be fine, imprisonment, order or other")
	case pe.Amount < 0:
		return FieldError(field("amount"), "cannot be negative")
	case pe.Kind == PenaltyFine && pe.Amount == 0:
		return FieldError(field("amount"), "is required for a fine")
	case pe.Amount > 0 && pe.Currency == "":
		return FieldError(field("currency"), "is required with an amount")
	case pe.Months < 0:
		return FieldError(field("months"), "cannot be negative")
	case pe.Months > MaxPenaltyMonths:
		return FieldError(field("months"), "is more than %d", MaxPenaltyMonths)
	case pe.Kind == PenaltyImprisonment && pe.Months == 0:
		return FieldError(field("months"), "is required for imprisonment")
	case pe.Kind != PenaltyImprisonment && pe.Months != 0:
		return FieldError(field("months"), "is only for imprisonment")
	case utf8.RuneCountInString(pe.Note) > MaxPenaltyNote:
		return FieldError(field("note"), "is longer than %d characters", MaxPenaltyNote)
	}
	if pe.Currency != "" {
		// The same ISO 4217 table as wage claims (wages/iso4217.go).
		if _, ok := wages.LookupCurrency(pe.Currency); !ok {
			return FieldError(field("currency"), "%q is not an ISO 4217 currency code such as USD", pe.Currency)
		}
		if pe.Amount == 0 {
			return FieldError(field("amount"), "is required with a currency")
		}
	}
	return nil
}

// FormatAmount writes the penalty's amount in major units ("1250.00"), or
// "" when it has none.
func (pe Penalty) FormatAmount() string {
	c, ok := wages.LookupCurrency(pe.Currency)
	if !ok || pe.Amount == 0 {
		return ""
	}
	return c.Format(wages.Amount(pe.Amount))
}

func joinStrings[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// ProceedingUpdate moves a proceeding on: nil fields stay as they are.
// Version must be the version the change was based on. Setting the stage
// to closed without ClosedOn closes it today; moving it away from closed
// clears ClosedOn.
type ProceedingUpdate struct {
	Version   int64
	Stage     *ProceedingStage
	Outcome   *ProceedingOutcome
	Reference *string
	ClosedOn  **time.Time
	Penalties *[]Penalty
}

// Apply sets the fields upd carries on p, closing or reopening it with the
// stage, and names the fields changed for the audit trail. It does not
// validate. today is the store's date.
func (upd ProceedingUpdate) Apply(p *Proceeding, today time.Time) []string {
	var changed []string
	if upd.Stage != nil {
		p.Stage = *upd.Stage
		changed = append(changed, "stage")
		switch {
		case p.Stage == StageClosed && p.ClosedOn == nil && upd.ClosedOn == nil:
			d := DateOf(today)
			p.ClosedOn = &d
			changed = append(changed, "closed_on")
		case p.Stage != StageClosed && p.ClosedOn != nil && upd.ClosedOn == nil:
			p.ClosedOn = nil
			changed = append(changed, "closed_on")
		}
	}
	if upd.ClosedOn != nil {
		p.ClosedOn = *upd.ClosedOn
		changed = append(changed, "closed_on")
	}
	if upd.Outcome != nil {
		p.Outcome = *upd.Outcome
		changed = append(changed, "outcome")
	}
	if upd.Reference != nil {
		p.Reference = *upd.Reference
		changed = append(changed, "reference")
	}
	if upd.Penalties != nil {
		p.Penalties = *upd.Penalties
		changed = append(changed, "penalties")
	}
	return changed
}

// ProceedingService records the proceedings of cases. Every method acts
// for the Actor in ctx; every read and write is audited. Another agency
// sees a proceeding through a grant of the whole case, or a grant naming
// every person the proceeding is against (a proceeding against
// organisations only needs a whole-case grant).
type ProceedingService interface {
	// CreateProceeding validates and stores a proceeding, setting its ID,
	// Version, AgencyID, RecordedBy and timestamps. People and
	// organisations must be of the case.
	CreateProceeding(ctx context.Context, p *Proceeding) error
	// Proceeding returns one proceeding, penalty notes unsealed.
	Proceeding(ctx context.Context, id string) (*Proceeding, error)
	// Proceedings returns the proceedings of a case the actor may see,
	// newest first.
	Proceedings(ctx context.Context, caseID string) ([]*Proceeding, error)
	// UpdateProceeding applies upd if the proceeding is still at
	// upd.Version; a stale version is ECONFLICT and changes nothing.
	UpdateProceeding(ctx context.Context, id string, upd ProceedingUpdate) (*Proceeding, error)
}

// LegalHold keeps a person's data from erasure while a proceeding about
// their case runs (security checklist R-DP3): the evidence may be needed
// in court.
type LegalHold struct {
	ProceedingID string         `json:"proceeding_id"`
	Kind         ProceedingKind `json:"kind"`
	Reference    string         `json:"reference"`
	OpenedOn     time.Time      `json:"opened_on"`
}

// Reason says why the hold is there, in the words the refusal gives:
// "criminal proceeding CR-12/2026 open since 2026-03-14".
func (h LegalHold) Reason() string {
	return fmt.Sprintf("%s proceeding %s open since %s", h.Kind, h.Reference, h.OpenedOn.Format(time.DateOnly))
}

// MaxErasureReason bounds the reason given for an erasure.
const MaxErasureReason = 500

// PersonEraser erases people (security checklist R-DP3).
type PersonEraser interface {
	// ErasePerson crypto-shreds the person's data key, removes their name
	// tokens and clears their plaintext profile, keeping the audit
	// entries. Only a supervisor of the case's owning agency or the
	// console may. A person under a legal hold is refused with ECONFLICT
	// and the hold's reason. Both outcomes are audited.
	ErasePerson(ctx context.Context, personID, reason string) error
	// LegalHolds returns the holds on a person, oldest first; none means
	// the person may be erased.
	LegalHolds(ctx context.Context, personID string) ([]LegalHold, error)
}

// CleanErasureReason checks and normalises the reason of an erasure.
func CleanErasureReason(reason string) (string, error) {
	reason = CleanLine(reason)
	switch {
	case reason == "":
		return "", FieldError("reason", "is required: why the person's data is erased (e.g. the person's request of 2026-05-02)")
	case utf8.RuneCountInString(reason) > MaxErasureReason:
		return "", FieldError("reason", "is longer than %d characters", MaxErasureReason)
	}
	return reason, nil
}
