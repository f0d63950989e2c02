package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/vault"
)

// writeContents writes the people, organisations, worksites and tasks of a
// planned case through the insert functions of their services.
func (w *seedWriter) writeContents(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	if err := w.writePeople(ctx, tx, c, p); err != nil {
		return err
	}
	var employerID, country string
	w.orgIDs, w.siteIDs = w.orgIDs[:0], w.siteIDs[:0]
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
		w.orgIDs = append(w.orgIDs, o.ID)
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
		w.siteIDs = append(w.siteIDs, ws.ID)
		w.stats.Worksites++
	}
	if err := w.writeTasks(ctx, tx, c, p); err != nil {
		return err
	}
	return w.writeCasework(ctx, tx, c, p)
}

// writePeople writes the people of a planned case.
func (w *seedWriter) writePeople(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	w.personIDs = w.personIDs[:0]
	for i := range p.people {
		person := seedPerson(c, &p.people[i])
		if err := person.Validate(); err != nil {
			return fmt.Errorf("person of case %s: %w", c.Reference, err)
		}
		if err := w.persons.insertPerson(ctx, tx, person); err != nil {
			return err
		}
		w.personIDs = append(w.personIDs, person.ID)
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

// writeCasework writes the records of issue #6 of a planned case:
// referrals (with the grants of the accepted ones), services and
// protection periods, inspections and proceedings. Each is written with
// the columns and sealing its service gives it, the console recording it
// for the case's agency at the planned times, and one audit entry: a
// share for a referral or a grant, a creation for the others.
func (w *seedWriter) writeCasework(ctx context.Context, tx *sql.Tx, c *flare.Case, p *seedCasePlan) error {
	for i := range p.referrals {
		if err := w.writeReferral(ctx, tx, c, &p.referrals[i]); err != nil {
			return fmt.Errorf("referral of case %s: %w", c.Reference, err)
		}
	}
	keys := map[int]*vault.DataKey{}
	personKey := func(i int) (*vault.DataKey, error) {
		if k, ok := keys[i]; ok {
			return k, nil
		}
		k, err := w.keys.DataKey(ctx, tx, personOwner, w.personIDs[i])
		keys[i] = k
		return k, err
	}
	for i := range p.services {
		if err := w.writeService(ctx, tx, c, &p.services[i], personKey); err != nil {
			return fmt.Errorf("service of case %s: %w", c.Reference, err)
		}
	}
	for i := range p.periods {
		if err := w.writePeriod(ctx, tx, c, &p.periods[i], personKey); err != nil {
			return fmt.Errorf("protection period of case %s: %w", c.Reference, err)
		}
	}
	for i := range p.inspections {
		if err := w.writeInspection(ctx, tx, c, &p.inspections[i]); err != nil {
			return fmt.Errorf("inspection of case %s: %w", c.Reference, err)
		}
	}
	for i := range p.proceedings {
		if err := w.writeProceeding(ctx, tx, c, &p.proceedings[i]); err != nil {
			return fmt.Errorf("proceeding of case %s: %w", c.Reference, err)
		}
	}
	return nil
}

// seedRecorder is who the seeded records say recorded, sent, answered or
// extended them: the console, as ShareCase and the protection and
// enforcement services name it.
const seedRecorder = "console"

// writeReferral writes a referral as ReferralService leaves it once sent
// and, when planned so, answered: an accepted referral with its grant
// (referral_id set, the referral's grant_id pointing to it), a consent
// withdrawn after acceptance with the grant revoked at that moment
// (R-DP4), one withdrawn before its answer with status withdrawn.
func (w *seedWriter) writeReferral(ctx context.Context, tx *sql.Tx, c *flare.Case, rp *seedReferralPlan) error {
	r := &flare.Referral{CaseID: c.ID, ToAgencyID: w.agencyIDs[rp.to], Purpose: rp.purpose, Urgent: rp.urgent, DueOn: rp.dueOn,
		Grant: flare.CaseGrant{Access: rp.access, Basis: rp.basis, Reference: rp.reference}}
	for _, i := range rp.people {
		r.Grant.PersonIDs = append(r.Grant.PersonIDs, w.personIDs[i])
	}
	if cp := rp.consent; cp != nil {
		given, expires := cp.givenOn, cp.expiresOn
		r.Grant.ConsentGivenOn, r.Grant.ExpiresOn, r.Grant.ConsentScope = &given, &expires, cp.scope
		r.Grant.ConsentLanguage, r.Grant.ConsentInterpreter, r.Grant.ConsentPersonID = cp.language, cp.interpreter, w.personIDs[cp.person]
	}
	if err := r.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	g := r.Grant
	var grantID, decidedBy any
	if rp.decidedAt != nil {
		decidedBy = seedRecorder
	}
	if rp.status == flare.ReferralAccepted {
		gid, err := newID()
		if err != nil {
			return err
		}
		g.ID, g.CaseID, g.GrantedBy, g.CreatedAt, g.ReferralID = gid, c.ID, "referral "+id, rp.decidedAt.UTC(), id
		if err := w.db.insertGrant(ctx, tx, &g); err != nil {
			return err
		}
		if rp.withdrawnAt != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE case_grants SET consent_withdrawn_at = $1, revoked_at = $1 WHERE id = $2`,
				rp.withdrawnAt.UTC(), gid); err != nil {
				return fmt.Errorf("withdraw consent of grant: %w", w.db.dialect.translate(err))
			}
		}
		grantID = gid
		w.stats.Grants++
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO referrals (`+referralColumns+`, decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
		$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
		id, c.ID, c.AgencyID, r.ToAgencyID, r.Purpose, r.Urgent, string(g.Access), strings.Join(g.PersonIDs, ","),
		joinFieldGroups(g.FieldGroups), string(g.Basis), g.Reference, datePtr(g.ConsentGivenOn), g.ConsentScope,
		datePtr(g.ExpiresOn), r.DueOn, string(rp.status), rp.declineReason, utcPtr(rp.decidedAt), grantID, seedRecorder,
		rp.createdAt.UTC(), g.ConsentLanguage, g.ConsentInterpreter, nullString(g.ConsentPersonID), utcPtr(rp.withdrawnAt), decidedBy)
	if err != nil {
		return fmt.Errorf("insert referral: %w", w.db.dialect.translate(err))
	}
	w.stats.Referrals++
	// One audit entry per record, as for every seeded record: the
	// referral's and its grant's, each as it stands (a seeded case that
	// is closed has one creation entry, not its history).
	fields := []string{"to_agency_id", "purpose", "sharing", "due_on", "status"}
	switch {
	case rp.status == flare.ReferralDeclined:
		fields = append(fields, "decline_reason")
	case rp.withdrawnAt != nil:
		fields = append(fields, "consent_withdrawn_at")
	}
	if grantID != nil {
		gf := grantFields(&g)
		if rp.withdrawnAt != nil {
			gf = append(gf, "consent_withdrawn_at", "revoked_at")
		}
		if err := w.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "case_grant", recordID: g.ID, caseID: c.ID,
			fields: gf, justification: string(g.Basis)}); err != nil {
			return err
		}
	}
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "referral", recordID: id, caseID: c.ID,
		fields: fields, justification: string(g.Basis)})
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// writeService writes a service delivered to a presumed victim as
// ProtectionService.RecordService does, its outcome sealed under the
// person's data key.
func (w *seedWriter) writeService(ctx context.Context, tx *sql.Tx, c *flare.Case, sp *seedServicePlan,
	personKey func(int) (*vault.DataKey, error)) error {
	ps := &flare.ProvidedService{CaseID: c.ID, PersonID: w.personIDs[sp.person], Kind: sp.kind, Provider: sp.provider,
		StartedOn: sp.startedOn, EndedOn: sp.endedOn, Outcome: sp.outcome, RecordedBy: seedRecorder, RecordedAgencyID: c.AgencyID,
		RecordedAt: sp.recordedAt.UTC(), Version: 1}
	if sp.agency >= 0 {
		ps.AgencyID = w.agencyIDs[sp.agency]
	}
	if err := ps.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	ps.ID = id
	key, err := personKey(sp.person)
	if err != nil {
		return err
	}
	outcome, err := key.SealString(vault.Location{Table: "protection_services", Column: "outcome", RowID: id}, ps.Outcome)
	if err != nil {
		return fmt.Errorf("seal service outcome: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO protection_services (`+serviceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $12)`,
		ps.ID, ps.CaseID, ps.PersonID, string(ps.Kind), nullString(ps.AgencyID), ps.Provider, ps.StartedOn, datePtr(ps.EndedOn),
		outcome, ps.RecordedBy, ps.RecordedAgencyID, ps.RecordedAt, ps.Version)
	if err != nil {
		return fmt.Errorf("insert service: %w", w.db.dialect.translate(err))
	}
	w.stats.Services++
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: serviceRecord, recordID: ps.ID, caseID: c.ID,
		fields: serviceFields(ps)})
}

// writePeriod writes a protection period as ProtectionService.StartPeriod
// and ExtendPeriod leave it: the reference and the extensions' reasons
// sealed under the person's data key, the end the last extension's and
// the version raised by each extension.
func (w *seedWriter) writePeriod(ctx context.Context, tx *sql.Tx, c *flare.Case, pp *seedPeriodPlan,
	personKey func(int) (*vault.DataKey, error)) error {
	p := &flare.ProtectionPeriod{CaseID: c.ID, PersonID: w.personIDs[pp.person], Kind: pp.kind, StartsOn: pp.startsOn, EndsOn: pp.endsOn,
		AgencyID: w.agencyIDs[pp.agency], Reference: pp.reference}
	if err := p.Validate(flare.DefaultProtectionConfig()); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	key, err := personKey(pp.person)
	if err != nil {
		return err
	}
	ref, err := key.SealString(vault.Location{Table: "protection_periods", Column: "reference", RowID: id}, p.Reference)
	if err != nil {
		return fmt.Errorf("seal period reference: %w", err)
	}
	// The extensions are checked first: the row is written with its last
	// end and version.
	exts := make([]flare.PeriodExtension, len(pp.extensions))
	for i, ep := range pp.extensions {
		e := flare.PeriodExtension{EndsOn: ep.endsOn, Reason: ep.reason, ExtendedBy: seedRecorder, AgencyID: c.AgencyID, ExtendedAt: ep.extendedAt.UTC()}
		if err := e.Validate(p); err != nil {
			return err
		}
		p.EndsOn = e.EndsOn
		exts[i] = e
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO protection_periods (`+periodColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, p.CaseID, p.PersonID, string(p.Kind), p.AgencyID, p.StartsOn, p.InitialEndsOn, p.EndsOn, ref,
		seedRecorder, c.AgencyID, pp.recordedAt.UTC(), 1+len(exts))
	if err != nil {
		return fmt.Errorf("insert protection period: %w", w.db.dialect.translate(err))
	}
	w.stats.Periods++
	for i, e := range exts {
		seq := i + 1
		reason, err := key.SealString(extensionLocation(id, seq), e.Reason)
		if err != nil {
			return fmt.Errorf("seal extension reason: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO protection_extensions (period_id, seq, ends_on, reason, extended_by, agency_id, extended_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, seq, e.EndsOn, reason, e.ExtendedBy, e.AgencyID, e.ExtendedAt); err != nil {
			return fmt.Errorf("insert extension: %w", w.db.dialect.translate(err))
		}
		w.stats.Extensions++
	}
	// One creation entry for the period as it stands, extensions included.
	fields := []string{"person_id", "kind", "agency_id", "starts_on", "ends_on"}
	if p.Reference != "" {
		fields = append(fields, "reference")
	}
	if len(exts) > 0 {
		fields = append(fields, "extensions")
	}
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: periodRecord, recordID: id, caseID: c.ID, fields: fields})
}

// writeInspection writes an inspection as InspectionService does, its
// findings sealed under its own data key; the inspectors are named, since
// the seeded agencies have no users.
func (w *seedWriter) writeInspection(ctx context.Context, tx *sql.Tx, c *flare.Case, ip *seedInspectionPlan) error {
	in := &flare.Inspection{CaseID: c.ID, WorksiteID: w.siteIDs[ip.site], Kind: ip.kind, VisitedOn: ip.visitedOn,
		InspectorNames: ip.inspectors, Findings: ip.findings, WorkersInterviewed: ip.workers, Orders: ip.orders,
		AgencyID: c.AgencyID, RecordedBy: seedRecorder}
	if err := in.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	in.ID = id
	key, err := w.keys.CreateDataKey(ctx, tx, inspectionRecord, id)
	if err != nil {
		return err
	}
	findings, err := key.SealString(inspectionFindingsLocation(id), in.Findings)
	if err != nil {
		return fmt.Errorf("seal inspection findings: %w", err)
	}
	names, _ := json.Marshal(in.InspectorNames)
	orders, _ := json.Marshal(in.Orders)
	_, err = tx.ExecContext(ctx, `INSERT INTO inspections (`+inspectionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)`,
		in.ID, in.CaseID, in.WorksiteID, in.AgencyID, string(in.Kind), in.VisitedOn, strings.Join(in.InspectorIDs, ","),
		string(names), findings, in.WorkersInterviewed, string(orders), in.RecordedBy, ip.createdAt.UTC())
	if err != nil {
		return fmt.Errorf("insert inspection: %w", w.db.dialect.translate(err))
	}
	w.stats.Inspections++
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: inspectionRecord, recordID: in.ID,
		caseID: in.CaseID, fields: inspectionFields()})
}

// writeProceeding writes a proceeding as ProceedingService does, against
// people and organisations of the case, its penalty notes sealed under its
// own data key.
func (w *seedWriter) writeProceeding(ctx context.Context, tx *sql.Tx, c *flare.Case, pp *seedProceedingPlan) error {
	p := &flare.Proceeding{CaseID: c.ID, Kind: pp.kind, Stage: pp.stage, Reference: pp.reference, OpenedOn: pp.openedOn,
		ClosedOn: pp.closedOn, Outcome: pp.outcome, Penalties: slices.Clone(pp.penalties), AgencyID: c.AgencyID, RecordedBy: seedRecorder}
	for _, i := range pp.people {
		p.PersonIDs = append(p.PersonIDs, w.personIDs[i])
	}
	for _, i := range pp.orgs {
		p.OrganisationIDs = append(p.OrganisationIDs, w.orgIDs[i])
	}
	if err := p.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	p.ID = id
	key, err := w.keys.CreateDataKey(ctx, tx, proceedingRecord, id)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO proceedings (`+proceedingColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)`,
		p.ID, p.CaseID, p.AgencyID, string(p.Kind), string(p.Stage), p.Reference, p.OpenedOn, datePtr(p.ClosedOn),
		string(p.Outcome), p.RecordedBy, pp.createdAt.UTC(), pp.updatedAt.UTC())
	if err != nil {
		return fmt.Errorf("insert proceeding: %w", w.db.dialect.translate(err))
	}
	for _, pid := range p.PersonIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO proceeding_persons (proceeding_id, person_id) VALUES ($1, $2)`, p.ID, pid); err != nil {
			return fmt.Errorf("insert proceeding person: %w", w.db.dialect.translate(err))
		}
	}
	for _, oid := range p.OrganisationIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO proceeding_organisations (proceeding_id, organisation_id) VALUES ($1, $2)`, p.ID, oid); err != nil {
			return fmt.Errorf("insert proceeding organisation: %w", w.db.dialect.translate(err))
		}
	}
	if err := (&ProceedingService{db: w.db, keys: w.keys}).writePenalties(ctx, tx, key, p, false); err != nil {
		return err
	}
	w.stats.Proceedings++
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: proceedingRecord, recordID: p.ID,
		caseID: p.CaseID, fields: proceedingFields()})
}
