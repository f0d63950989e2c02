package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// OrganisationService implements flare.OrganisationService: the
// employers, recruiters, contractors and buyers named in cases. Their
// fields are not personal data of victims and are stored in plaintext;
// every read and write is authorised against the case and audited in the
// same transaction, like any part of a case.
type OrganisationService struct{ db *DB }

// NewOrganisationService returns the organisation service on db.
func NewOrganisationService(db *DB) *OrganisationService { return &OrganisationService{db: db} }

var _ flare.OrganisationService = (*OrganisationService)(nil)

const organisationColumns = `id, case_id, type, name, trade_names, registrations, country, state, city, street,
	postal_code, phone, version, created_at, updated_at`

// organisationRecord is the record type of organisations in the policy
// and the audit trail.
const organisationRecord = "organisation"

// authorizeParty asks the policy whether the actor may perform action on a
// record of recordType in case c (an organisation or a worksite), given
// the case's grants in force. A grant limited to named people does not
// cover them: they are not about a person.
func (db *DB) authorizeParty(ctx context.Context, q queryer, action policy.Action, c *flare.Case, recordType string) error {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	var grants []policy.Grant
	if !actor.Console && actor.AgencyID != c.AgencyID {
		var err error
		if grants, err = db.activeGrants(ctx, q, c.ID); err != nil {
			return err
		}
	}
	rec := policy.Record{Type: recordType, OwnerAgencyID: c.AgencyID}
	// Adding to a case one may not know exists is "not found", not the
	// "forbidden" the policy gives for creating a record in another
	// agency's name: the case id came from the actor, and a 403 would
	// confirm the case exists (security checklist R-AZ1).
	if action != policy.Read && policy.Decide(actor, policy.Read, rec, grants) == policy.DenyNotFound {
		return policy.Error(policy.DenyNotFound, rec)
	}
	return policy.Error(policy.Decide(actor, action, rec, grants), rec)
}

// deniedParty wraps a policy refusal of action on a record of a case, so
// auditDenied records it once the transaction has rolled back.
func deniedParty(err error, action audit.Action, recordType, recordID, caseID string) error {
	return &denial{err: err, ev: auditEvent{action: action, recordType: recordType, recordID: recordID, caseID: caseID}}
}

// staleParty is the conflict of an update based on an old version. The
// "version" field tells the HTTP layer to answer 412.
func staleParty(what string, current, given int64) error {
	return &flare.Error{Code: flare.ECONFLICT,
		Message: fmt.Sprintf("the %s was changed by someone else (version %d, your change was based on %d); reload it and apply your change again", what, current, given),
		Fields:  map[string]string{"version": "stale"}}
}

// partyTime is the store's clock to the microsecond, which both databases
// keep, so a record reads back as it was written.
func (db *DB) partyTime() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// CreateOrganisation implements flare.OrganisationService.
func (s *OrganisationService) CreateOrganisation(ctx context.Context, o *flare.Organisation) error {
	if err := o.Validate(); err != nil {
		return err
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, o.CaseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Create, c, organisationRecord); err != nil {
			return deniedParty(err, audit.ActionCreate, organisationRecord, "", c.ID)
		}
		return s.db.insertOrganisation(ctx, tx, o)
	})
	return s.db.auditDenied(ctx, err)
}

// insertOrganisation writes a validated organisation of an existing case,
// its search entry and its audit entry in tx, and sets its ID (unless
// set), Version and timestamps (unless set). Authorisation is the
// caller's: CreateOrganisation, or the seeder, which calls it many times
// in one transaction. Keep this signature stable.
func (db *DB) insertOrganisation(ctx context.Context, tx *sql.Tx, o *flare.Organisation) error {
	id := o.ID
	if id == "" {
		var err error
		if id, err = newID(); err != nil {
			return err
		}
	}
	created := o.CreatedAt
	if created.IsZero() {
		created = db.partyTime()
	}
	names, regs, err := organisationLists(o)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO organisations (`+organisationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13)`,
		id, o.CaseID, string(o.Type), o.Name, names, regs, o.Country, o.State, o.City, o.Street, o.PostalCode, o.Phone, created)
	if s := db.dialect.constraint(err); s == foreignKeyViolation {
		return flare.FieldError("case_id", "no such case")
	}
	if err != nil {
		return fmt.Errorf("insert organisation: %w", db.dialect.translate(err))
	}
	if err := db.indexText(ctx, tx, organisationRecord, id, o.CaseID, o.SearchText()...); err != nil {
		return err
	}
	if err := db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: organisationRecord, recordID: id,
		caseID: o.CaseID, fields: organisationFieldsSet(o)}); err != nil {
		return err
	}
	o.ID, o.Version, o.CreatedAt, o.UpdatedAt = id, 1, created, created
	return nil
}

// organisationLists encodes the list fields as the JSON the columns hold.
func organisationLists(o *flare.Organisation) (names, regs string, err error) {
	if o.TradeNames == nil {
		o.TradeNames = []string{}
	}
	if o.Registrations == nil {
		o.Registrations = []flare.RegistrationNumber{}
	}
	n, err := json.Marshal(o.TradeNames)
	if err != nil {
		return "", "", fmt.Errorf("encode trade names: %w", err)
	}
	r, err := json.Marshal(o.Registrations)
	if err != nil {
		return "", "", fmt.Errorf("encode registration numbers: %w", err)
	}
	return string(n), string(r), nil
}

// organisationFieldsSet names the fields a new organisation carries, for
// the audit trail (names only, never values).
func organisationFieldsSet(o *flare.Organisation) []string {
	f := []string{"case_id", "type", "name"}
	for _, opt := range []struct {
		name string
		set  bool
	}{
		{"trade_names", len(o.TradeNames) > 0}, {"registration_numbers", len(o.Registrations) > 0},
		{"country", o.Country != ""}, {"state", o.State != ""}, {"city", o.City != ""}, {"street", o.Street != ""},
		{"postal_code", o.PostalCode != ""}, {"phone", o.Phone != ""},
	} {
		if opt.set {
			f = append(f, opt.name)
		}
	}
	return f
}

// organisationReadFields names what a read of an organisation returns.
func organisationReadFields() []string {
	return []string{"type", "name", "trade_names", "registration_numbers", "country", "state", "city", "street", "postal_code", "phone"}
}

func (db *DB) loadOrganisation(ctx context.Context, q querier, id string) (*flare.Organisation, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "organisation not found")
	}
	o, err := scanOrganisation(q.QueryRowContext(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "organisation not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load organisation %s: %w", id, err)
	}
	return o, nil
}

// loadOrganisationAndCase loads an organisation and its case, and asks the
// policy for action on it; a refusal carries its audit event.
func (db *DB) loadOrganisationAndCase(ctx context.Context, tx *sql.Tx, id string, action policy.Action, ev audit.Action) (*flare.Organisation, error) {
	o, err := db.loadOrganisation(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	c, err := db.loadCase(ctx, tx, o.CaseID)
	if err != nil {
		return nil, err
	}
	if err := db.authorizeParty(ctx, tx, action, c, organisationRecord); err != nil {
		return nil, deniedParty(err, ev, organisationRecord, o.ID, c.ID)
	}
	return o, nil
}

// Organisation implements flare.OrganisationService.
func (s *OrganisationService) Organisation(ctx context.Context, id string) (*flare.Organisation, error) {
	var out *flare.Organisation
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		o, err := s.db.loadOrganisationAndCase(ctx, tx, id, policy.Read, audit.ActionRead)
		if err != nil {
			return err
		}
		out = o
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: organisationRecord, recordID: o.ID,
			caseID: o.CaseID, fields: organisationReadFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// Organisations implements flare.OrganisationService. Each organisation
// listed is a read of it, audited as such.
func (s *OrganisationService) Organisations(ctx context.Context, caseID string) ([]*flare.Organisation, error) {
	var out []*flare.Organisation
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeParty(ctx, tx, policy.Read, c, organisationRecord); err != nil {
			return deniedParty(err, audit.ActionRead, organisationRecord, "", c.ID)
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+organisationColumns+` FROM organisations WHERE case_id = $1 ORDER BY name, id`, c.ID)
		if err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanOrganisation(rows)
			if err != nil {
				return fmt.Errorf("list organisations: %w", err)
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("list organisations: %w", err)
		}
		rows.Close()
		for _, o := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: organisationRecord, recordID: o.ID,
				caseID: c.ID, fields: organisationReadFields()}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// UpdateOrganisation implements flare.OrganisationService. The version
// check is in the UPDATE itself, so of two concurrent saves of the same
// version exactly one succeeds on either backend (R-CC1).
func (s *OrganisationService) UpdateOrganisation(ctx context.Context, id string, upd flare.OrganisationUpdate) (*flare.Organisation, error) {
	var out *flare.Organisation
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		o, err := s.db.loadOrganisationAndCase(ctx, tx, id, policy.Update, audit.ActionUpdate)
		if err != nil {
			return err
		}
		if o.Version != upd.Version {
			return staleParty("organisation", o.Version, upd.Version)
		}
		changed := upd.Apply(o)
		if err := o.Validate(); err != nil {
			return err
		}
		names, regs, err := organisationLists(o)
		if err != nil {
			return err
		}
		now := s.db.partyTime()
		res, err := tx.ExecContext(ctx, `UPDATE organisations SET type = $1, name = $2, trade_names = $3, registrations = $4,
			country = $5, state = $6, city = $7, street = $8, postal_code = $9, phone = $10, version = version + 1, updated_at = $11
			WHERE id = $12 AND version = $13`,
			string(o.Type), o.Name, names, regs, o.Country, o.State, o.City, o.Street, o.PostalCode, o.Phone, now, o.ID, upd.Version)
		if err := versionedWrite(res, err, "update organisation", func() error { return staleParty("organisation", o.Version+1, upd.Version) }); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = now
		out = o
		if err := s.db.indexText(ctx, tx, organisationRecord, o.ID, o.CaseID, o.SearchText()...); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: organisationRecord, recordID: o.ID,
			caseID: o.CaseID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// versionedWrite checks the outcome of an UPDATE or DELETE guarded by a
// version: an error is wrapped with what, and no row touched means someone
// else changed the record first (stale).
func versionedWrite(res sql.Result, err error, what string, stale func() error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n != 1 {
		return stale()
	}
	return nil
}

// DeleteOrganisation implements flare.OrganisationService. The policy lets
// only a supervisor of the owning agency delete a part of a case. An
// organisation still operating a worksite is kept: unlink or delete the
// worksite first, so no worksite silently loses its operator.
func (s *OrganisationService) DeleteOrganisation(ctx context.Context, id string, version int64) error {
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		o, err := s.db.loadOrganisationAndCase(ctx, tx, id, policy.Delete, audit.ActionDelete)
		if err != nil {
			return err
		}
		if o.Version != version {
			return staleParty("organisation", o.Version, version)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM worksites WHERE organisation_id = $1`, o.ID).Scan(&n); err != nil {
			return fmt.Errorf("count worksites of organisation %s: %w", o.ID, err)
		}
		if n > 0 {
			return &flare.Error{Code: flare.ECONFLICT,
				Message: fmt.Sprintf("the organisation operates %d worksite(s) of the case; change or delete them first", n),
				Fields:  map[string]string{"organisation_id": "in use"}}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM organisations WHERE id = $1 AND version = $2`, o.ID, version)
		if err := versionedWrite(res, err, "delete organisation", func() error { return staleParty("organisation", o.Version+1, version) }); err != nil {
			return err
		}
		if err := s.db.unindexText(ctx, tx, o.ID); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionDelete, recordType: organisationRecord, recordID: o.ID, caseID: o.CaseID})
	})
	return s.db.auditDenied(ctx, err)
}

func scanOrganisation(r scanner) (*flare.Organisation, error) {
	var o flare.Organisation
	var typ, names, regs string
	if err := r.Scan(&o.ID, &o.CaseID, &typ, &o.Name, &names, &regs, &o.Country, &o.State, &o.City, &o.Street,
		&o.PostalCode, &o.Phone, &o.Version, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return nil, err
	}
	o.Type = flare.OrganisationType(typ)
	if err := json.Unmarshal([]byte(names), &o.TradeNames); err != nil {
		return nil, fmt.Errorf("decode trade names of organisation %s: %w", o.ID, err)
	}
	if err := json.Unmarshal([]byte(regs), &o.Registrations); err != nil {
		return nil, fmt.Errorf("decode registration numbers of organisation %s: %w", o.ID, err)
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return &o, nil
}
