package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/flare-ilo/flare"
)

// writeContents writes the people, organisations, worksites and tasks of a
// planned case through the insert functions of their services.
func (w *seedWriter) writeContents(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	return nil
}

// seedPerson maps a planned person onto the person record of case c.
func seedPerson(c *flare.Case, pp *seedPersonPlan) *flare.Person {
	p := &flare.Person{CaseID: c.ID, Role: flare.PersonRole(pp.role), Citizenship: []string{pp.nationality},
		PrimaryLanguage: pp.languages[0],
		PersonIdentity:  &flare.PersonIdentity{FirstName: pp.firstName, SecondName: pp.familyName, Birthdate: pp.birthdate}}
	if len(pp.languages) > 1 {
		p.SecondaryLanguage = pp.languages[1]
	}
	if pp.phone != "" {
		p.Contact.MobilePhone = pp.phone
	}
	p.Gender = flare.GenderMasculine
	if pp.sex == "female" {
		p.Gender = flare.GenderFeminine
	}
	if pp.birthdate == nil {
		age := pp.estimated
		p.AgeYears, p.AgeEstimated = &age, true
	}
	if p.Role == flare.RolePresumedVictim {
		// Every victim was suspected when the case opened; screening made
		// most of them presumed victims, and an authority identified some.
		p.VictimStatus = &flare.VictimStatus{Suspected: &flare.StatusDecision{DecidedOn: c.OpenedOn, DecidedBy: flare.DecidedByNGO}}
		if c.Status != flare.CaseOpen {
			p.VictimStatus.Presumed = &flare.StatusDecision{DecidedOn: c.OpenedOn.AddDate(0, 0, 7), DecidedBy: flare.DecidedByOtherGovernment, AgencyID: c.AgencyID}
		}
		if c.Status == flare.CaseProceedings || c.ClosureReason == flare.ClosureProceedingsEnded {
			p.VictimStatus.Identified = &flare.StatusDecision{DecidedOn: c.OpenedOn.AddDate(0, 1, 0), DecidedBy: flare.DecidedByCourtOrProsecution}
		}
	}
	return p
}

// seedOrganisation maps a planned organisation onto the record of case c.
func seedOrganisation(c *flare.Case, op *seedOrgPlan) *flare.Organisation {
	o := &flare.Organisation{CaseID: c.ID, Type: flare.OrganisationType(op.kind), Name: op.name, Country: op.country, City: op.city}
	scheme := flare.RegCompanyRegister
	if op.kind == "recruitment_agency" {
		scheme = flare.RegRecruitmentLicence
	}
	o.Registrations = []flare.RegistrationNumber{{Scheme: scheme, Number: op.registration}}
	return o
}

// seedWorksite maps a planned worksite onto the record of case c, operated
// by the employer (employerID, may be empty).
func seedWorksite(c *flare.Case, sp *seedSitePlan, employerID, country string) *flare.Worksite {
	lat, lng := sp.lat, sp.lng
	return &flare.Worksite{CaseID: c.ID, OrganisationID: employerID, Name: sp.description, Street: sp.address,
		City: sp.city, State: sp.region, Country: country, Latitude: &lat, Longitude: &lng,
		ISICSection: sp.section, ISICDivision: sp.division}
}

// seedDue is a task's due date, for the task service.
func seedDue(t *seedTaskPlan) time.Time { return t.dueOn }
