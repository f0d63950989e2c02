package flare

import (
	"context"
	"time"
	"unicode/utf8"
)

// ReferralStatus is where a referral between agencies stands (issue #6).
type ReferralStatus string

// The statuses of a referral.
const (
	ReferralSent     ReferralStatus = "sent"
	ReferralAccepted ReferralStatus = "accepted"
	ReferralDeclined ReferralStatus = "declined"
	// ReferralWithdrawn: the person withdrew the consent the referral
	// rested on before it was answered; it can no longer be accepted.
	ReferralWithdrawn ReferralStatus = "withdrawn"
)

// Referral sends a case, or named people in it, from the owning agency to
// another (inspectorate to police, to victim services, to the fund...),
// with its purpose, urgency, answer deadline and the legal basis of the
// sharing. Accepting it grants the receiving agency access to what it
// covers, through a case grant with the referral's basis.
type Referral struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// CaseReference is the case's reference, shown to the receiving agency
	// so it knows what it is asked about; nothing else of the case is
	// shown before it accepts.
	CaseReference string `json:"case_reference"`
	FromAgencyID  string `json:"from_agency_id"`
	ToAgencyID    string `json:"to_agency_id"`
	Purpose       string `json:"purpose"`
	// Urgent referrals are shown first to the receiving agency.
	Urgent bool `json:"urgent"`
	// Grant holds what is shared (people, field groups; empty is the whole
	// case) and its legal basis; its AgencyID and CaseID are the
	// referral's.
	Grant   CaseGrant      `json:"sharing"`
	DueOn   time.Time      `json:"due_on"`
	Status  ReferralStatus `json:"status"`
	Overdue bool           `json:"overdue"`
	// DeclineReason is given when the receiving agency declines.
	DeclineReason string     `json:"decline_reason,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	GrantID       string     `json:"grant_id,omitempty"`
	// ConsentWithdrawnAt is when the person withdrew the consent the
	// referral rested on.
	ConsentWithdrawnAt *time.Time `json:"consent_withdrawn_at,omitempty"`
	SentBy             string     `json:"sent_by"`
	CreatedAt          time.Time  `json:"created_at"`
}

// Validate checks a referral's own fields; its sharing is checked as a
// grant.
func (r *Referral) Validate() error {
	r.Purpose = CleanLine(r.Purpose)
	switch {
	case r.CaseID == "":
		return FieldError("case_id", "is required")
	case r.ToAgencyID == "":
		return FieldError("to_agency_id", "is required")
	case r.Purpose == "":
		return FieldError("purpose", "is required: what the receiving agency is asked to do")
	case utf8.RuneCountInString(r.Purpose) > MaxNameLength:
		return FieldError("purpose", "is longer than %d characters", MaxNameLength)
	case r.DueOn.IsZero():
		return FieldError("due_on", "is required: the date an answer is due")
	}
	r.DueOn = DateOf(r.DueOn)
	g := r.Grant
	g.AgencyID, g.CaseID = r.ToAgencyID, r.CaseID
	if g.Access == "" {
		g.Access = GrantContribute
	}
	if err := g.Validate(); err != nil {
		return err
	}
	r.Grant = g
	return nil
}

// ReferralService sends and answers referrals.
type ReferralService interface {
	// SendReferral records a referral from the case's own agency.
	SendReferral(ctx context.Context, r *Referral) error
	// Referrals lists the referrals the actor's agency sent or received,
	// unanswered first, each flagged overdue past its due date.
	Referrals(ctx context.Context) ([]*Referral, error)
	// CaseReferrals lists the referrals of one case, for the staff of its
	// own agency who may work on it.
	CaseReferrals(ctx context.Context, caseID string) ([]*Referral, error)
	// AcceptReferral accepts a referral to the actor's agency, at most
	// once, and grants the access it covers.
	AcceptReferral(ctx context.Context, id string) (*Referral, error)
	// DeclineReferral declines it with a reason.
	DeclineReferral(ctx context.Context, id, reason string) (*Referral, error)
	// WithdrawConsent records that the person withdrew the consent the
	// referral rests on: unanswered, it can no longer be accepted;
	// accepted, its grant is revoked at once (R-DP4).
	WithdrawConsent(ctx context.Context, id string) (*Referral, error)
}
