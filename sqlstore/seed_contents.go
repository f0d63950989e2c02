package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/flare-ilo/flare"
)

// writeContents writes the people, organisations, worksites and tasks of a
// planned case through the insert functions of their services.
func (w *seedWriter) writeContents(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	if err := w.writePeople(ctx, tx, c, p); err != nil {
		return err
	}
	var employerID, country string
	for i := range p.orgs {
		o := seedOrganisation(c, &p.orgs[i])
		o.CreatedAt = c.CreatedAt
		if err := o.Validate(); err != nil {
			return fmt.Errorf("organisation of case %s: %w", c.Reference, err)
		}
		if err := w.db.insertOrganisation(ctx, tx, o); err != nil {
			return err
		}
		if o.Type == flare.OrgEmployer {
			employerID, country = o.ID, o.Country
		}
		w.stats.Organisations++
	}
	for i := range p.sites {
		ws := seedWorksite(c, &p.sites[i], employerID, country)
		ws.CreatedAt = c.CreatedAt
		if err := ws.Validate(); err != nil {
			return fmt.Errorf("worksite of case %s: %w", c.Reference, err)
		}
		if err := w.db.insertWorksite(ctx, tx, ws); err != nil {
			return err
		}
		w.stats.Worksites++
	}
	return w.writeTasks(ctx, tx, c, p)
}

// writePeople writes the people of a planned case.
func (w *seedWriter) writePeople(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	for i := range p.people {
		person := seedPerson(c, &p.people[i])
		if err := person.Validate(); err != nil {
			return fmt.Errorf("person of case %s: %w", c.Reference, err)
		}
		if err := w.persons.insertPerson(ctx, tx, person); err != nil {
			return err
		}
		w.stats.People++
	}
	return nil
}

// writeTasks writes the tasks of a planned case.
func (w *seedWriter) writeTasks(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	for i := range p.tasks {
		due := p.tasks[i].dueOn
		t := &flare.Task{CaseID: c.ID, Title: p.tasks[i].title, DueOn: &due, CreatedAt: c.CreatedAt}
		if err := t.Validate(); err != nil {
			return fmt.Errorf("task of case %s: %w", c.Reference, err)
		}
		if err := w.db.insertTask(ctx, tx, t); err != nil {
			return err
		}
		w.stats.Tasks++
	}
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
