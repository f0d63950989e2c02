package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// ProtectionService implements flare.ProtectionService: the services and
// protection periods of people (issue #6), their free text sealed under
// each person's data key, their access the person's.
type ProtectionService struct {
	db   *DB
	keys *KeyStore
	cfg  flare.ProtectionConfig
}

// NewProtectionService returns the protection service on db with the
// country's lengths cfg (flare.DefaultProtectionConfig when unset).
func NewProtectionService(db *DB, keys *KeyStore, cfg flare.ProtectionConfig) *ProtectionService {
	if cfg.Validate() != nil {
		cfg = flare.DefaultProtectionConfig()
	}
	return &ProtectionService{db: db, keys: keys, cfg: cfg}
}

var _ flare.ProtectionService = (*ProtectionService)(nil)

// The record types of the audit trail and the policy.
const (
	serviceRecord = "protection_service"
	periodRecord  = "protection_period"
)

// maxProtectionListed caps the services or periods of one person, and the
// "ending soon" list.
const maxProtectionListed = 200

const serviceColumns = `id, case_id, person_id, kind, agency_id, provider, started_on, ended_on, outcome,
	recorded_by, recorded_agency_id, recorded_at, version, updated_at`

const periodColumns = `id, case_id, person_id, kind, agency_id, starts_on, initial_ends_on, ends_on, reference,
	recorded_by, recorded_agency_id, recorded_at, version`

// Config implements flare.ProtectionService.
func (s *ProtectionService) Config() flare.ProtectionConfig { return s.cfg }

// checkAgency refuses an agency id that names no agency, naming field.
func (s *ProtectionService) checkAgency(ctx context.Context, tx *sql.Tx, field, id string) error {
	if !validID(id) {
		return flare.FieldError(field, "no such agency")
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM agencies WHERE id = $1`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return flare.FieldError(field, "no such agency")
	}
	if err != nil {
		return fmt.Errorf("check agency %s: %w", id, s.db.dialect.translate(err))
	}
	return nil
}

// recorder returns who records for the actor: the user and agency, or
// "console" and the case's agency for the console operator.
func recorder(actor flare.Actor, c *flare.Case) (user, agency string) {
	if actor.Console {
		return "console", c.AgencyID
	}
	return actor.UserID, actor.AgencyID
}

// sealText seals a free-text column of a person's record.
func (s *ProtectionService) sealText(ctx context.Context, tx *sql.Tx, personID string, loc vault.Location, text string) ([]byte, error) {
	key, err := s.keys.DataKey(ctx, tx, personOwner, personID)
	if err != nil {
		if errors.Is(err, ErrDataKeyDestroyed) {
			return nil, flare.Errorf(flare.ECONFLICT, "the person was erased: nothing can be added to their record")
		}
		return nil, fmt.Errorf("data key of person %s: %w", personID, err)
	}
	b, err := key.SealString(loc, text)
	if err != nil {
		return nil, fmt.Errorf("seal %s %s: %w", loc.Table, loc.Column, err)
	}
	return b, nil
}

// openText opens a sealed column; an erased person's text reads as "".
func (s *ProtectionService) openText(ctx context.Context, tx *sql.Tx, personID string, loc vault.Location, sealed []byte) (string, error) {
	key, err := s.keys.DataKey(ctx, tx, personOwner, personID)
	if errors.Is(err, ErrDataKeyDestroyed) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("data key of person %s: %w", personID, err)
	}
	v, err := key.OpenString(loc, sealed)
	if err != nil {
		return "", fmt.Errorf("open %s %s of %s: %w", loc.Table, loc.Column, loc.RowID, err)
	}
	return v, nil
}

// ----- Services -----

// RecordService implements flare.ProtectionService.
func (s *ProtectionService) RecordService(ctx context.Context, ps *flare.ProvidedService) error {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if err := ps.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.personScope(ctx, tx, ps.PersonID, policy.Create, serviceRecord)
		if err != nil {
			return err
		}
		if ps.AgencyID != "" {
			if err := s.checkAgency(ctx, tx, "agency_id", ps.AgencyID); err != nil {
				return err
			}
		}
		ps.ID, ps.CaseID, ps.RecordedAt, ps.UpdatedAt, ps.Version = id, c.ID, now, now, 1
		ps.RecordedBy, ps.RecordedAgencyID = recorder(actor, c)
		outcome, err := s.sealText(ctx, tx, ps.PersonID, vault.Location{Table: "protection_services", Column: "outcome", RowID: id}, ps.Outcome)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO protection_services (`+serviceColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			ps.ID, ps.CaseID, ps.PersonID, string(ps.Kind), nullString(ps.AgencyID), ps.Provider, ps.StartedOn, datePtr(ps.EndedOn),
			outcome, ps.RecordedBy, ps.RecordedAgencyID, now, ps.Version, now)
		if err != nil {
			return fmt.Errorf("insert service: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: serviceRecord, recordID: ps.ID, caseID: c.ID,
			fields: serviceFields(ps)})
	})
	return s.db.auditDenied(ctx, err)
}

// serviceFields names the fields a service carries, for the audit trail.
func serviceFields(ps *flare.ProvidedService) []string {
	f := []string{"person_id", "kind", "started_on"}
	for _, c := range []struct {
		name string
		set  bool
	}{{"agency_id", ps.AgencyID != ""}, {"provider", ps.Provider != ""}, {"ended_on", ps.EndedOn != nil}, {"outcome", ps.Outcome != ""}} {
		if c.set {
			f = append(f, c.name)
		}
	}
	return f
}

// PersonServices implements flare.ProtectionService.
func (s *ProtectionService) PersonServices(ctx context.Context, personID string) ([]*flare.ProvidedService, error) {
	var out []*flare.ProvidedService
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.personScope(ctx, tx, personID, policy.Read, serviceRecord)
		if err != nil {
			return err
		}
		if out, err = s.loadServices(ctx, tx, fmt.Sprintf(`WHERE person_id = $1 ORDER BY started_on DESC, id DESC LIMIT %d`, maxProtectionListed), personID); err != nil {
			return err
		}
		for _, ps := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: serviceRecord, recordID: ps.ID, caseID: c.ID,
				fields: serviceFields(ps)}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// UpdateService implements flare.ProtectionService.
func (s *ProtectionService) UpdateService(ctx context.Context, id string, upd flare.ServiceUpdate) (*flare.ProvidedService, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	var out *flare.ProvidedService
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		personID, err := s.ownerPerson(ctx, tx, "protection_services", "service", id)
		if err != nil {
			return err
		}
		c, err := s.db.personScope(ctx, tx, personID, policy.Update, serviceRecord)
		if err != nil {
			return err
		}
		list, err := s.loadServices(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		ps := list[0]
		if ps.Version != upd.Version {
			return staleRecord("service", ps.Version, upd.Version)
		}
		upd.Apply(ps)
		if err := ps.Validate(); err != nil {
			return err
		}
		outcome, err := s.sealText(ctx, tx, ps.PersonID, vault.Location{Table: "protection_services", Column: "outcome", RowID: id}, ps.Outcome)
		if err != nil {
			return err
		}
		now := s.db.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE protection_services SET ended_on = $1, outcome = $2, version = version + 1, updated_at = $3
			WHERE id = $4 AND version = $5`, datePtr(ps.EndedOn), outcome, now, id, upd.Version)
		if err != nil {
			return fmt.Errorf("update service %s: %w", id, s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update service %s: %w", id, err)
		} else if n != 1 {
			return staleRecord("service", ps.Version+1, upd.Version)
		}
		ps.Version++
		ps.UpdatedAt = now
		out = ps
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: serviceRecord, recordID: id, caseID: c.ID,
			fields: upd.Fields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// ownerPerson returns the person a service or period is about; a record
// that does not exist is "not found", like one the actor may not see.
func (s *ProtectionService) ownerPerson(ctx context.Context, tx *sql.Tx, table, what, id string) (string, error) {
	notFound := flare.Errorf(flare.ENOTFOUND, "%s not found", what)
	if !validID(id) {
		return "", notFound
	}
	var personID string
	err := tx.QueryRowContext(ctx, `SELECT person_id FROM `+table+` WHERE id = $1`, id).Scan(&personID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound
	}
	if err != nil {
		return "", fmt.Errorf("load %s %s: %w", what, id, s.db.dialect.translate(err))
	}
	return personID, nil
}

func staleRecord(what string, current, given int64) error {
	return &flare.Error{Code: flare.ECONFLICT,
		Message: fmt.Sprintf("the %s was changed by someone else (version %d, your change was based on %d); reload and apply your change again", what, current, given),
		Fields:  map[string]string{"version": "stale"}}
}

// loadServices reads and unseals the services a WHERE clause selects.
func (s *ProtectionService) loadServices(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.ProvidedService, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+serviceColumns+` FROM protection_services `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", s.db.dialect.translate(err))
	}
	type row struct {
		ps     *flare.ProvidedService
		sealed []byte
	}
	var found []row
	for rows.Next() {
		r := row{ps: &flare.ProvidedService{}}
		var kind string
		var agency sql.NullString
		var ended sql.NullTime
		if err := rows.Scan(&r.ps.ID, &r.ps.CaseID, &r.ps.PersonID, &kind, &agency, &r.ps.Provider, &r.ps.StartedOn, &ended, &r.sealed,
			&r.ps.RecordedBy, &r.ps.RecordedAgencyID, &r.ps.RecordedAt, &r.ps.Version, &r.ps.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan service: %w", err)
		}
		r.ps.Kind, r.ps.AgencyID, r.ps.EndedOn = flare.ServiceKind(kind), agency.String, nullDate(ended)
		r.ps.StartedOn, r.ps.RecordedAt, r.ps.UpdatedAt = flare.DateOf(r.ps.StartedOn), r.ps.RecordedAt.UTC(), r.ps.UpdatedAt.UTC()
		found = append(found, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	out := make([]*flare.ProvidedService, 0, len(found))
	for _, r := range found {
		if r.ps.Outcome, err = s.openText(ctx, tx, r.ps.PersonID, vault.Location{Table: "protection_services", Column: "outcome", RowID: r.ps.ID}, r.sealed); err != nil {
			return nil, err
		}
		out = append(out, r.ps)
	}
	return out, nil
}

// ----- Periods -----

// StartPeriod implements flare.ProtectionService.
func (s *ProtectionService) StartPeriod(ctx context.Context, p *flare.ProtectionPeriod) error {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if err := p.Validate(s.cfg); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.personScope(ctx, tx, p.PersonID, policy.Create, periodRecord)
		if err != nil {
			return err
		}
		p.RecordedBy, p.RecordedAgencyID = recorder(actor, c)
		if p.AgencyID == "" {
			p.AgencyID = p.RecordedAgencyID
		} else if err := s.checkAgency(ctx, tx, "agency_id", p.AgencyID); err != nil {
			return err
		}
		p.ID, p.CaseID, p.RecordedAt, p.Version, p.Extensions = id, c.ID, now, 1, []flare.PeriodExtension{}
		ref, err := s.sealText(ctx, tx, p.PersonID, vault.Location{Table: "protection_periods", Column: "reference", RowID: id}, p.Reference)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO protection_periods (`+periodColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			p.ID, p.CaseID, p.PersonID, string(p.Kind), p.AgencyID, p.StartsOn, p.InitialEndsOn, p.EndsOn, ref,
			p.RecordedBy, p.RecordedAgencyID, now, p.Version)
		if err != nil {
			return fmt.Errorf("insert protection period: %w", s.db.dialect.translate(err))
		}
		p.SetStatus(s.db.now())
		fields := []string{"person_id", "kind", "agency_id", "starts_on", "ends_on"}
		if p.Reference != "" {
			fields = append(fields, "reference")
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: periodRecord, recordID: p.ID, caseID: c.ID, fields: fields})
	})
	return s.db.auditDenied(ctx, err)
}

// periodReadFields are the fields a read of a period returns.
var periodReadFields = []string{"kind", "agency_id", "starts_on", "ends_on", "reference", "extensions"}

// PersonPeriods implements flare.ProtectionService.
func (s *ProtectionService) PersonPeriods(ctx context.Context, personID string) ([]*flare.ProtectionPeriod, error) {
	var out []*flare.ProtectionPeriod
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.personScope(ctx, tx, personID, policy.Read, periodRecord)
		if err != nil {
			return err
		}
		if out, err = s.loadPeriods(ctx, tx, fmt.Sprintf(`WHERE person_id = $1 ORDER BY starts_on DESC, id DESC LIMIT %d`, maxProtectionListed), personID); err != nil {
			return err
		}
		for _, p := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: periodRecord, recordID: p.ID, caseID: c.ID,
				fields: periodReadFields}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// ExtendPeriod implements flare.ProtectionService.
func (s *ProtectionService) ExtendPeriod(ctx context.Context, periodID string, version int64, e *flare.PeriodExtension) (*flare.ProtectionPeriod, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	var out *flare.ProtectionPeriod
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		personID, err := s.ownerPerson(ctx, tx, "protection_periods", "protection period", periodID)
		if err != nil {
			return err
		}
		c, err := s.db.personScope(ctx, tx, personID, policy.Update, periodRecord)
		if err != nil {
			return err
		}
		list, err := s.loadPeriods(ctx, tx, `WHERE id = $1`, periodID)
		if err != nil {
			return err
		}
		p := list[0]
		if version != 0 && version != p.Version {
			return staleRecord("protection period", p.Version, version)
		}
		if err := e.Validate(p); err != nil {
			return err
		}
		e.ExtendedBy, e.AgencyID = recorder(actor, c)
		e.ExtendedAt = s.db.now().UTC()
		seq := len(p.Extensions) + 1
		reason, err := s.sealText(ctx, tx, personID, extensionLocation(periodID, seq), e.Reason)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO protection_extensions (period_id, seq, ends_on, reason, extended_by, agency_id, extended_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, periodID, seq, e.EndsOn, reason, e.ExtendedBy, e.AgencyID, e.ExtendedAt)
		if s.db.dialect.constraint(err) == uniqueViolation {
			return staleRecord("protection period", p.Version+1, p.Version)
		}
		if err != nil {
			return fmt.Errorf("insert extension: %w", s.db.dialect.translate(err))
		}
		// The period's end is the last extension's, moved in the same
		// transaction; the version check makes a concurrent extension a
		// conflict rather than a lost one.
		res, err := tx.ExecContext(ctx, `UPDATE protection_periods SET ends_on = $1, version = version + 1 WHERE id = $2 AND version = $3`,
			e.EndsOn, periodID, p.Version)
		if err != nil {
			return fmt.Errorf("extend period %s: %w", periodID, s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("extend period %s: %w", periodID, err)
		} else if n != 1 {
			return staleRecord("protection period", p.Version+1, p.Version)
		}
		p.EndsOn, p.Version = e.EndsOn, p.Version+1
		p.Extensions = append(p.Extensions, *e)
		p.SetStatus(s.db.now())
		out = p
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: periodRecord, recordID: periodID, caseID: c.ID,
			fields: []string{"ends_on", "extensions"}})
	})
	return out, s.db.auditDenied(ctx, err)
}

func extensionLocation(periodID string, seq int) vault.Location {
	return vault.Location{Table: "protection_extensions", Column: "reason", RowID: fmt.Sprintf("%s/%d", periodID, seq)}
}

// PeriodsEnding implements flare.ProtectionService. Being the responsible
// agency does not open the person's record: a period is listed only when
// the actor may read the person through the policy (their own agency's
// case, or a grant that covers the person); the others are left out
// without a trace of them in the answer.
func (s *ProtectionService) PeriodsEnding(ctx context.Context, days int) ([]*flare.ProtectionPeriod, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	if days == 0 {
		days = s.cfg.EndingDays
	}
	if days < 1 || days > flare.MaxEndingDays {
		return nil, flare.FieldError("days", "must be between 1 and %d", flare.MaxEndingDays)
	}
	if !actor.Console && !validID(actor.AgencyID) {
		return nil, nil
	}
	today := flare.DateOf(s.db.now())
	until := today.AddDate(0, 0, days-1)
	var out []*flare.ProtectionPeriod
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		where, args := `WHERE ends_on >= $1 AND ends_on <= $2`, []any{today, until}
		if !actor.Console {
			where, args = where+` AND agency_id = $3`, append(args, actor.AgencyID)
		}
		where += fmt.Sprintf(` ORDER BY ends_on, id LIMIT %d`, maxProtectionListed)
		list, err := s.loadPeriods(ctx, tx, where, args...)
		if err != nil {
			return err
		}
		allowed := map[string]bool{}
		for _, p := range list {
			ok, seen := allowed[p.PersonID]
			if !seen {
				_, err := s.db.personScope(ctx, tx, p.PersonID, policy.Read, periodRecord)
				switch flare.ErrorCodeOf(err) {
				case "":
					ok = true
				case flare.ENOTFOUND, flare.EFORBIDDEN:
				default:
					return err
				}
				allowed[p.PersonID] = ok
			}
			if !ok {
				continue
			}
			out = append(out, p)
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: periodRecord, recordID: p.ID, caseID: p.CaseID,
				fields: periodReadFields}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// loadPeriods reads and unseals the periods a WHERE clause selects, with
// their extensions.
func (s *ProtectionService) loadPeriods(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.ProtectionPeriod, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+periodColumns+` FROM protection_periods `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list protection periods: %w", s.db.dialect.translate(err))
	}
	type row struct {
		p      *flare.ProtectionPeriod
		sealed []byte
	}
	var found []row
	for rows.Next() {
		r := row{p: &flare.ProtectionPeriod{Extensions: []flare.PeriodExtension{}}}
		var kind string
		if err := rows.Scan(&r.p.ID, &r.p.CaseID, &r.p.PersonID, &kind, &r.p.AgencyID, &r.p.StartsOn, &r.p.InitialEndsOn, &r.p.EndsOn, &r.sealed,
			&r.p.RecordedBy, &r.p.RecordedAgencyID, &r.p.RecordedAt, &r.p.Version); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan protection period: %w", err)
		}
		r.p.Kind = flare.PeriodKind(kind)
		r.p.StartsOn, r.p.InitialEndsOn, r.p.EndsOn = flare.DateOf(r.p.StartsOn), flare.DateOf(r.p.InitialEndsOn), flare.DateOf(r.p.EndsOn)
		r.p.RecordedAt = r.p.RecordedAt.UTC()
		found = append(found, r)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list protection periods: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list protection periods: %w", err)
	}
	today := s.db.now()
	out := make([]*flare.ProtectionPeriod, 0, len(found))
	for _, r := range found {
		p := r.p
		if p.Reference, err = s.openText(ctx, tx, p.PersonID, vault.Location{Table: "protection_periods", Column: "reference", RowID: p.ID}, r.sealed); err != nil {
			return nil, err
		}
		if err := s.loadExtensions(ctx, tx, p); err != nil {
			return nil, err
		}
		p.SetStatus(today)
		out = append(out, p)
	}
	return out, nil
}

// loadExtensions reads the extensions of p, oldest first.
func (s *ProtectionService) loadExtensions(ctx context.Context, tx *sql.Tx, p *flare.ProtectionPeriod) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, ends_on, reason, extended_by, agency_id, extended_at
		FROM protection_extensions WHERE period_id = $1 ORDER BY seq`, p.ID)
	if err != nil {
		return fmt.Errorf("list extensions: %w", s.db.dialect.translate(err))
	}
	type row struct {
		seq    int
		e      flare.PeriodExtension
		sealed []byte
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.seq, &r.e.EndsOn, &r.sealed, &r.e.ExtendedBy, &r.e.AgencyID, &r.e.ExtendedAt); err != nil {
			rows.Close()
			return fmt.Errorf("scan extension: %w", err)
		}
		r.e.EndsOn, r.e.ExtendedAt = flare.DateOf(r.e.EndsOn), r.e.ExtendedAt.UTC()
		found = append(found, r)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("list extensions: %w", err)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list extensions: %w", err)
	}
	for _, r := range found {
		if r.e.Reason, err = s.openText(ctx, tx, p.PersonID, extensionLocation(p.ID, r.seq), r.sealed); err != nil {
			return err
		}
		p.Extensions = append(p.Extensions, r.e)
	}
	return nil
}

// ----- Decision deadlines on the person -----

// WithProtection sets the lengths the victim-status deadlines are computed
// with (flare.DefaultProtectionConfig until set).
func (s *PersonService) WithProtection(cfg flare.ProtectionConfig) *PersonService {
	if cfg.Validate() == nil {
		s.protection = cfg
	}
	return s
}

// fillDeadlines computes the decision deadlines of a person read (issue
// #6, "Decisions on victim status"): they are not stored. The conclusive
// decision waits for the end of the person's latest recovery period, with
// its extensions, when one is recorded.
func (s *PersonService) fillDeadlines(ctx context.Context, tx *sql.Tx, p *flare.Person) error {
	v := p.VictimStatus
	if v == nil {
		return nil
	}
	var end *time.Time
	var e time.Time
	err := tx.QueryRowContext(ctx, `SELECT ends_on FROM protection_periods WHERE person_id = $1 AND kind = $2
		ORDER BY starts_on DESC, id DESC LIMIT 1`, p.ID, string(flare.PeriodRecovery)).Scan(&e)
	switch {
	case err == nil:
		e = flare.DateOf(e)
		end = &e
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("recovery period of person %s: %w", p.ID, s.db.dialect.translate(err))
	}
	cfg := s.protection
	if cfg.Validate() != nil {
		cfg = flare.DefaultProtectionConfig()
	}
	v.DecisionDeadlines = cfg.Deadlines(v, end, s.db.now())
	return nil
}
