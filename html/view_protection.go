package html

import (
	"fmt"
	"time"

	"github.com/flare-ilo/flare"
)

// PersonProtection is the protection section of a person's page (issue
// #6): the services delivered, the protection periods and the deadlines of
// the victim-status decisions.
type PersonProtection struct {
	// Page is the person page's, for the forms' words.
	Page
	// Shown is set when the user may read the person's protection records.
	Shown    bool
	PersonID string
	Services []*flare.ProvidedService
	Periods  []*flare.ProtectionPeriod
	// Status is the person's victim status with its deadlines, if any.
	Status *flare.VictimStatus
	// Today is the day "ongoing" and "days left" are counted from.
	Today time.Time
	ProtectionChoices
}

// form is an empty form of the section, to add or change a record.
func (p PersonProtection) form(f ProtectionForm) ProtectionFormView {
	f.PersonID = p.PersonID
	return ProtectionFormView{Page: p.Page, ProtectionChoices: p.ProtectionChoices, Form: f}
}

// NewServiceForm is the form to record a service.
func (p PersonProtection) NewServiceForm() ProtectionFormView {
	return p.form(ProtectionForm{Which: "service", StartedOn: p.Today.Format(time.DateOnly)})
}

// ServiceUpdateForm is the form to end a service or record its outcome.
func (p PersonProtection) ServiceUpdateForm(s *flare.ProvidedService) ProtectionFormView {
	f := ProtectionForm{Which: "service_update", TargetID: s.ID, Version: fmt.Sprint(s.Version), Outcome: s.Outcome}
	if s.EndedOn != nil {
		f.EndedOn = s.EndedOn.Format(time.DateOnly)
	}
	return p.form(f)
}

// NewPeriodForm is the form to record a protection period.
func (p PersonProtection) NewPeriodForm() ProtectionFormView {
	return p.form(ProtectionForm{Which: "period", Kind: string(flare.PeriodRecovery), AgencyID: p.MyAgencyID,
		StartsOn: p.Today.Format(time.DateOnly)})
}

// ExtensionForm is the form to extend a period.
func (p PersonProtection) ExtensionForm(pp *flare.ProtectionPeriod) ProtectionFormView {
	return p.form(ProtectionForm{Which: "extension", TargetID: pp.ID, Version: fmt.Sprint(pp.Version)})
}

// ProtectionChoices are what the protection forms offer.
type ProtectionChoices struct {
	Agencies     []*flare.Agency
	MyAgencyID   string
	ServiceKinds []flare.ServiceKind
	PeriodKinds  []flare.PeriodKind
	Config       flare.ProtectionConfig
}

// AgencyName names an agency of the list, or "" when it is not in it.
func (c ProtectionChoices) AgencyName(id string) string {
	for _, a := range c.Agencies {
		if a.ID == id {
			return a.Name
		}
	}
	return ""
}

// ProtectionForm is one protection form as typed, so a refused value is
// shown again as it was.
type ProtectionForm struct {
	// Which is the form: "service", "service_update", "period" or
	// "extension".
	Which string
	// PersonID is the person the form is about; TargetID the service or
	// period it changes; Version the version it was based on.
	PersonID, TargetID, Version                         string
	Kind, AgencyID, Provider, StartedOn, EndedOn        string
	Outcome, StartsOn, EndsOn, Reference, Reason, Label string
}

// ProtectionFormView is a protection form refused, shown again with the
// message next to each refused field.
type ProtectionFormView struct {
	Page
	ProtectionChoices
	Form         ProtectionForm
	Errors       map[string]string
	ErrorMessage string
}

// EndingPeriod is one row of the "ending soon" list: the period and the
// person's name, when the user may see it.
type EndingPeriod struct {
	Period *flare.ProtectionPeriod
	// Name is the person's name; Withheld says why it is not shown.
	Name, Withheld string
}

// ProtectionEndingView is the list of protection periods ending soon for
// the user's agency.
type ProtectionEndingView struct {
	Page
	Days, MaxDays int
	Periods       []EndingPeriod
	Error         string
}
