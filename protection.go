package flare

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Protection of presumed victims (issue #6, "Protection"): the services
// delivered to them, and the periods that protect them (a recovery and
// reflection period, a temporary residence permit).
//
// The ILO Tripartite Meeting of Experts on Forced Labour and Trafficking for
// Labour Exploitation (2013), conclusions ¶12, and the Protocol of 2014 to
// the Forced Labour Convention, art. 3, ask states to protect and assist
// victims whatever their cooperation with the authorities: shelter, health
// care, psychological help, legal aid, interpretation, material support,
// safe return and reintegration, access to work.

// ServiceKind is the kind of service delivered to a victim: a closed list.
type ServiceKind string

// The kinds of service.
const (
	ServiceShelter          ServiceKind = "shelter"
	ServiceMedical          ServiceKind = "medical"
	ServicePsychological    ServiceKind = "psychological"
	ServiceLegalAid         ServiceKind = "legal_aid"
	ServiceInterpretation   ServiceKind = "interpretation"
	ServiceFinancialSupport ServiceKind = "financial_support"
	ServiceSafeReturn       ServiceKind = "safe_return"
	ServiceReintegration    ServiceKind = "reintegration"
	ServiceEmployment       ServiceKind = "employment"
)

// ServiceKinds returns every kind of service, in form order.
func ServiceKinds() []ServiceKind {
	return []ServiceKind{ServiceShelter, ServiceMedical, ServicePsychological, ServiceLegalAid, ServiceInterpretation,
		ServiceFinancialSupport, ServiceSafeReturn, ServiceReintegration, ServiceEmployment}
}

// Valid reports whether k is one of ServiceKinds.
func (k ServiceKind) Valid() bool { return slices.Contains(ServiceKinds(), k) }

// Limits on protection records.
const (
	maxProviderName   = 200
	maxServiceOutcome = 4000
	maxPeriodRef      = 200
	maxExtensionWhy   = 1000
	// earliestProtectionYear rejects dates typed with a wrong century.
	earliestProtectionYear = 1990
	// maxProtectionYearsAhead bounds how far ahead a date may be set.
	maxProtectionYearsAhead = 20
)

// ProvidedService is one service delivered to a person: who delivered it
// (a Flare agency, a provider named in text, or both), from when to when,
// and with what outcome. The outcome may hold medical or psychological
// detail: it is sealed under the person's data key.
type ProvidedService struct {
	ID       string      `json:"id"`
	CaseID   string      `json:"case_id"`
	PersonID string      `json:"person_id"`
	Kind     ServiceKind `json:"kind"`
	// AgencyID is the Flare agency that delivered the service, if one did.
	AgencyID string `json:"agency_id,omitempty"`
	// Provider names a provider that is not a Flare agency (a clinic, a
	// shelter run by a charity), or the unit of the agency.
	Provider  string     `json:"provider,omitempty"`
	StartedOn time.Time  `json:"started_on"`
	EndedOn   *time.Time `json:"ended_on,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
	// RecordedBy and RecordedAgencyID are the user and agency that
	// recorded it.
	RecordedBy       string    `json:"recorded_by"`
	RecordedAgencyID string    `json:"recorded_agency_id"`
	RecordedAt       time.Time `json:"recorded_at"`
	Version          int64     `json:"version"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Validate normalises the service's text and checks every field.
func (s *ProvidedService) Validate() error {
	s.Provider, s.Outcome = CleanLine(s.Provider), strings.TrimSpace(CleanText(s.Outcome))
	switch {
	case s.PersonID == "":
		return FieldError("person_id", "is required")
	case !s.Kind.Valid():
		return FieldError("kind", "%q is not one of %s", s.Kind, joinServiceKinds())
	case s.AgencyID == "" && s.Provider == "":
		return FieldError("provider", "name who delivered the service: an agency or a provider")
	case s.AgencyID != "" && !plausibleID(s.AgencyID):
		return FieldError("agency_id", "is not an agency id")
	case utf8.RuneCountInString(s.Provider) > maxProviderName:
		return FieldError("provider", "is longer than %d characters", maxProviderName)
	}
	if err := checkProtectionDate("started_on", &s.StartedOn); err != nil {
		return err
	}
	return s.validateEnd()
}

func (s *ProvidedService) validateEnd() error {
	if s.EndedOn != nil {
		if err := checkProtectionDate("ended_on", s.EndedOn); err != nil {
			return err
		}
		if s.EndedOn.Before(s.StartedOn) {
			return FieldError("ended_on", "is before the start (%s)", s.StartedOn.Format(time.DateOnly))
		}
	}
	if utf8.RuneCountInString(s.Outcome) > maxServiceOutcome {
		return FieldError("outcome", "is longer than %d characters", maxServiceOutcome)
	}
	return nil
}

// Ongoing reports whether the service has no end date, or one not yet past
// on day today.
func (s *ProvidedService) Ongoing(today time.Time) bool {
	return s.EndedOn == nil || !s.EndedOn.Before(DateOf(today))
}

// ServiceUpdate changes the end and outcome of a service; nil fields are
// left alone. Version must be the version the change was based on.
type ServiceUpdate struct {
	Version int64
	EndedOn **time.Time
	Outcome *string
}

// Fields names the fields upd sets, for the audit trail.
func (u ServiceUpdate) Fields() []string {
	var out []string
	if u.EndedOn != nil {
		out = append(out, "ended_on")
	}
	if u.Outcome != nil {
		out = append(out, "outcome")
	}
	return out
}

// Apply applies u to s; Validate must follow.
func (u ServiceUpdate) Apply(s *ProvidedService) {
	setIf(&s.EndedOn, u.EndedOn)
	setIf(&s.Outcome, u.Outcome)
}

// PeriodKind is the kind of protection period.
type PeriodKind string

// The kinds of protection period.
const (
	// PeriodRecovery is the recovery and reflection period (Council of
	// Europe Convention on Action against Trafficking in Human Beings,
	// art. 13; EU Directive 2004/81/EC art. 6).
	PeriodRecovery PeriodKind = "reflection_recovery"
	// PeriodResidence is a temporary residence permit (Council of Europe
	// Convention art. 14; EU Directive 2004/81/EC art. 8).
	PeriodResidence PeriodKind = "residence_permit"
)

// PeriodKinds returns every kind of period.
func PeriodKinds() []PeriodKind { return []PeriodKind{PeriodRecovery, PeriodResidence} }

// Valid reports whether k is one of PeriodKinds.
func (k PeriodKind) Valid() bool { return slices.Contains(PeriodKinds(), k) }

// ProtectionPeriod is a recovery period or a residence permit of a person.
// EndsOn is its current end: the last extension's new end, or the end it
// was recorded with. Extensions are never changed or removed.
type ProtectionPeriod struct {
	ID       string     `json:"id"`
	CaseID   string     `json:"case_id"`
	PersonID string     `json:"person_id"`
	Kind     PeriodKind `json:"kind"`
	StartsOn time.Time  `json:"starts_on"`
	// EndsOn is the current end, last day included.
	EndsOn time.Time `json:"ends_on"`
	// InitialEndsOn is the end recorded before any extension.
	InitialEndsOn time.Time `json:"initial_ends_on"`
	// AgencyID is the agency responsible for the period (the one that
	// granted it, or follows it up): the "ending soon" list is theirs.
	AgencyID string `json:"agency_id"`
	// Reference is the permit number or decision reference; sealed.
	Reference  string            `json:"reference,omitempty"`
	Extensions []PeriodExtension `json:"extensions"`
	// Ended and DaysLeft are computed on read against the store's today:
	// a period whose end is past has ended; DaysLeft counts the days from
	// today to the end, 0 on its last day, negative once ended.
	Ended            bool      `json:"ended"`
	DaysLeft         int       `json:"days_left"`
	RecordedBy       string    `json:"recorded_by"`
	RecordedAgencyID string    `json:"recorded_agency_id"`
	RecordedAt       time.Time `json:"recorded_at"`
	Version          int64     `json:"version"`
}

// PeriodExtension is one extension of a period: its new end, why, who
// granted it and when. The reason is sealed under the person's data key.
type PeriodExtension struct {
	EndsOn     time.Time `json:"ends_on"`
	Reason     string    `json:"reason"`
	ExtendedBy string    `json:"extended_by"`
	AgencyID   string    `json:"agency_id"`
	ExtendedAt time.Time `json:"extended_at"`
}

// Validate checks a new period. A period recorded without an end gets the
// configured length of its kind (cfg.PeriodDays): countries differ.
func (p *ProtectionPeriod) Validate(cfg ProtectionConfig) error {
	p.Reference = CleanLine(p.Reference)
	switch {
	case p.PersonID == "":
		return FieldError("person_id", "is required")
	case !p.Kind.Valid():
		return FieldError("kind", "%q is not one of reflection_recovery, residence_permit", p.Kind)
	case p.AgencyID != "" && !plausibleID(p.AgencyID):
		return FieldError("agency_id", "is not an agency id")
	case utf8.RuneCountInString(p.Reference) > maxPeriodRef:
		return FieldError("reference", "is longer than %d characters", maxPeriodRef)
	}
	if err := checkProtectionDate("starts_on", &p.StartsOn); err != nil {
		return err
	}
	if p.EndsOn.IsZero() {
		// The length counts the start day: a 30-day period starting on
		// the 1st ends on the 30th.
		p.EndsOn = p.StartsOn.AddDate(0, 0, cfg.PeriodDays(p.Kind)-1)
	}
	if err := checkProtectionDate("ends_on", &p.EndsOn); err != nil {
		return err
	}
	if p.EndsOn.Before(p.StartsOn) {
		return FieldError("ends_on", "is before the start (%s)", p.StartsOn.Format(time.DateOnly))
	}
	p.InitialEndsOn = p.EndsOn
	return nil
}

// Validate checks an extension of period p: a reason, and a new end after
// the current one (a period is extended, never shortened here).
func (e *PeriodExtension) Validate(p *ProtectionPeriod) error {
	e.Reason = strings.TrimSpace(CleanText(e.Reason))
	if e.EndsOn.IsZero() {
		return FieldError("ends_on", "is required")
	}
	if err := checkProtectionDate("ends_on", &e.EndsOn); err != nil {
		return err
	}
	switch {
	case !e.EndsOn.After(p.EndsOn):
		return FieldError("ends_on", "must be after the current end (%s)", p.EndsOn.Format(time.DateOnly))
	case e.Reason == "":
		return FieldError("reason", "is required")
	case utf8.RuneCountInString(e.Reason) > maxExtensionWhy:
		return FieldError("reason", "is longer than %d characters", maxExtensionWhy)
	}
	return nil
}

// SetStatus fills Ended and DaysLeft for day today.
func (p *ProtectionPeriod) SetStatus(today time.Time) {
	today = DateOf(today)
	p.DaysLeft = int(p.EndsOn.Sub(today).Hours() / 24)
	p.Ended = p.EndsOn.Before(today)
}

// ProtectionConfig holds the lengths a country sets. Every one has a
// documented default (DefaultProtectionConfig); flare serve takes them as
// flags.
type ProtectionConfig struct {
	// RecoveryPeriodDays is the length of a recovery and reflection
	// period. Default 30: Council of Europe Convention on Action against
	// Trafficking in Human Beings (CETS 197), art. 13(1), "at least 30
	// days"; EU Directive 2004/81/EC art. 6(1) leaves the length to
	// national law.
	RecoveryPeriodDays int
	// ResidencePermitDays is the length of a temporary residence permit.
	// Default 180: EU Directive 2004/81/EC art. 8(3), "valid for at least
	// six months".
	ResidencePermitDays int
	// EndingDays is how far ahead the "ending soon" list looks. Default 14.
	EndingDays int
	// FirstDecisionWorkingDays is the time, in working days (Monday to
	// Friday) after a person is first suspected to be a victim, within
	// which the first decision (presumed; the UK's "reasonable grounds")
	// is due. Default 5: UK Modern Slavery Act 2015, statutory guidance
	// for England and Wales (s. 49), the reasonable-grounds decision
	// "within 5 working days" of the referral where possible.
	FirstDecisionWorkingDays int
}

// DefaultProtectionConfig returns the documented defaults.
func DefaultProtectionConfig() ProtectionConfig {
	return ProtectionConfig{RecoveryPeriodDays: 30, ResidencePermitDays: 180, EndingDays: 14, FirstDecisionWorkingDays: 5}
}

// Longest settings accepted: beyond them a typing mistake is likelier than
// a law.
const (
	maxPeriodDays       = 3660
	maxEndingDays       = 366
	maxDecisionWorkDays = 260
)

// Validate refuses settings out of range, naming the flag.
func (c ProtectionConfig) Validate() error {
	for _, s := range []struct {
		flag     string
		v, limit int
	}{
		{"recovery-period-days", c.RecoveryPeriodDays, maxPeriodDays},
		{"residence-permit-days", c.ResidencePermitDays, maxPeriodDays},
		{"periods-ending-days", c.EndingDays, maxEndingDays},
		{"first-decision-working-days", c.FirstDecisionWorkingDays, maxDecisionWorkDays},
	} {
		if s.v < 1 || s.v > s.limit {
			return FieldError(s.flag, "must be between 1 and %d", s.limit)
		}
	}
	return nil
}

// PeriodDays is the configured length of a period of kind k.
func (c ProtectionConfig) PeriodDays(k PeriodKind) int {
	if k == PeriodResidence {
		return c.ResidencePermitDays
	}
	return c.RecoveryPeriodDays
}

// MaxEndingDays is the furthest the "ending soon" list may look ahead.
const MaxEndingDays = maxEndingDays

// DecisionDeadlines are the dates a victim-status decision is due by or
// may be taken from, computed on read from the status, the settings and
// the person's recovery period; they are never stored. The model is the
// UK National Referral Mechanism the issue cites: a first ("reasonable
// grounds") decision within a few working days, then a recovery period
// before the conclusive decision.
type DecisionDeadlines struct {
	// FirstDecisionDue is the last day for the first decision (presumed),
	// counted in working days from the suspected date.
	FirstDecisionDue *time.Time `json:"first_decision_due,omitempty"`
	// FirstDecisionOverdue is set when that day is past and no decision
	// (presumed or identified) is recorded.
	FirstDecisionOverdue bool `json:"first_decision_overdue"`
	// ConclusiveDecisionFrom is the first day the conclusive decision
	// (identified) may be taken: the day after the recovery period ends.
	ConclusiveDecisionFrom *time.Time `json:"conclusive_decision_from,omitempty"`
}

// Deadlines computes the decision deadlines of v for day today.
// recoveryEnd is the current end of the person's recorded recovery period
// (extensions included), or nil when none is recorded: the period then
// runs RecoveryPeriodDays from the presumed date. It returns nil when no
// date applies.
func (c ProtectionConfig) Deadlines(v *VictimStatus, recoveryEnd *time.Time, today time.Time) *DecisionDeadlines {
	if v == nil {
		return nil
	}
	d := &DecisionDeadlines{}
	if v.Suspected != nil {
		due := AddWorkingDays(v.Suspected.DecidedOn, c.FirstDecisionWorkingDays)
		d.FirstDecisionDue = &due
		d.FirstDecisionOverdue = v.Presumed == nil && v.Identified == nil && DateOf(today).After(due)
	}
	switch {
	case recoveryEnd != nil:
		from := DateOf(*recoveryEnd).AddDate(0, 0, 1)
		d.ConclusiveDecisionFrom = &from
	case v.Presumed != nil:
		// The recovery period starts with the first decision (UK
		// statutory guidance: the recovery period follows a positive
		// reasonable-grounds decision) and lasts RecoveryPeriodDays.
		from := DateOf(v.Presumed.DecidedOn).AddDate(0, 0, c.RecoveryPeriodDays)
		d.ConclusiveDecisionFrom = &from
	}
	if d.FirstDecisionDue == nil && d.ConclusiveDecisionFrom == nil {
		return nil
	}
	return d
}

// AddWorkingDays returns the day n working days (Monday to Friday) after
// day. Public holidays are not modelled.
func AddWorkingDays(day time.Time, n int) time.Time {
	d := DateOf(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// checkProtectionDate truncates *t to its day and refuses a missing date or
// one typed with a wrong century.
func checkProtectionDate(field string, t *time.Time) error {
	if t.IsZero() {
		return FieldError(field, "is required")
	}
	*t = DateOf(*t)
	if t.Year() < earliestProtectionYear || t.After(time.Now().UTC().AddDate(maxProtectionYearsAhead, 0, 0)) {
		return FieldError(field, "must be a date between %d and %d years from now", earliestProtectionYear, maxProtectionYearsAhead)
	}
	return nil
}

// plausibleID reports whether s could be a record id (the store checks it
// names one).
func plausibleID(s string) bool {
	return len(s) <= 64 && !strings.ContainsAny(s, " ,\n\t")
}

func joinServiceKinds() string {
	var names []string
	for _, k := range ServiceKinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// ProtectionService keeps the services and protection periods of people.
// Every method acts for the Actor in ctx, under the same access as the
// person (a grant limited to named people covers their records only), and
// every read and write is audited.
type ProtectionService interface {
	// Config returns the lengths in force.
	Config() ProtectionConfig
	// RecordService stores a service delivered to s.PersonID and fills s
	// in.
	RecordService(ctx context.Context, s *ProvidedService) error
	// PersonServices returns a person's services, newest start first.
	PersonServices(ctx context.Context, personID string) ([]*ProvidedService, error)
	// UpdateService changes the end or outcome of a service still at
	// upd.Version; a stale version is a conflict.
	UpdateService(ctx context.Context, id string, upd ServiceUpdate) (*ProvidedService, error)
	// StartPeriod stores a protection period of p.PersonID and fills p in;
	// without an end, its end is the start plus the configured length;
	// without an agency, the actor's agency is responsible.
	StartPeriod(ctx context.Context, p *ProtectionPeriod) error
	// PersonPeriods returns a person's periods with their extensions,
	// latest start first.
	PersonPeriods(ctx context.Context, personID string) ([]*ProtectionPeriod, error)
	// ExtendPeriod appends an extension to a period and moves its end.
	// version, when not 0, must be the period's version; a concurrent
	// extension is a conflict, never a lost one.
	ExtendPeriod(ctx context.Context, periodID string, version int64, e *PeriodExtension) (*ProtectionPeriod, error)
	// PeriodsEnding returns the periods the actor's agency is responsible
	// for that end within the next days days (today included), soonest
	// first, among the people the actor may see.
	PeriodsEnding(ctx context.Context, days int) ([]*ProtectionPeriod, error)
}

// StampDecidingAgencies records agencyID as the deciding agency of every
// stage of v that is new or changed since before and names none (issue #6:
// "the deciding agency recorded"); a stage unchanged keeps the agency it
// had, so a form that does not carry it loses nothing.
func (v *VictimStatus) StampDecidingAgencies(before *VictimStatus, agencyID string) {
	if v == nil {
		return
	}
	var was VictimStatus
	if before != nil {
		was = *before
	}
	for _, s := range []struct{ now, then *StatusDecision }{
		{v.Suspected, was.Suspected}, {v.Presumed, was.Presumed}, {v.Identified, was.Identified},
	} {
		if s.now == nil || s.now.AgencyID != "" {
			continue
		}
		if s.then != nil && DateOf(s.then.DecidedOn).Equal(DateOf(s.now.DecidedOn)) && s.then.DecidedBy == s.now.DecidedBy {
			s.now.AgencyID = s.then.AgencyID
		} else {
			s.now.AgencyID = agencyID
		}
	}
}
