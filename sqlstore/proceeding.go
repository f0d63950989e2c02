package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// ProceedingService implements flare.ProceedingService: the
// administrative, criminal and civil proceedings of cases (issue #6).
// Stages, outcomes and penalties are plaintext, for the prosecution
// statistics; penalty notes are sealed under the proceeding's own data key.
type ProceedingService struct {
	db   *DB
	keys *KeyStore
}

// NewProceedingService returns the proceeding service on db, sealing with
// keys.
func NewProceedingService(db *DB, keys *KeyStore) *ProceedingService {
	return &ProceedingService{db: db, keys: keys}
}

var _ flare.ProceedingService = (*ProceedingService)(nil)

const (
	proceedingRecord  = "proceeding"
	proceedingColumns = `id, case_id, agency_id, kind, stage, reference, opened_on, closed_on, outcome, recorded_by,
	version, created_at, updated_at`
	maxProceedingsListed = 200
)

func penaltyNoteLocation(id string, position int) vault.Location {
	return vault.Location{Table: "proceeding_penalties", Column: "note", RowID: id + "/" + strconv.Itoa(position)}
}

// proceedingFields names what a proceeding holds, for the audit trail.
func proceedingFields() []string {
	return []string{"kind", "stage", "reference", "opened_on", "closed_on", "person_ids", "organisation_ids", "outcome", "penalties"}
}

// proceedingScope is what deciding on the proceedings of a case needs.
type proceedingScope struct {
	c      *flare.Case
	actor  flare.Actor
	grants []policy.Grant
}

func (db *DB) proceedingScope(ctx context.Context, tx *sql.Tx, caseID string) (proceedingScope, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return proceedingScope{}, err
	}
	c, err := db.loadCase(ctx, tx, caseID)
	if err != nil {
		return proceedingScope{}, err
	}
	sc := proceedingScope{c: c, actor: actor}
	if !actor.Console && actor.AgencyID != c.AgencyID {
		if sc.grants, err = db.activeGrants(ctx, tx, c.ID); err != nil {
			return proceedingScope{}, err
		}
	}
	return sc, nil
}

// decide asks the policy about action on a proceeding against personIDs.
// A grant of the whole case covers every proceeding; a grant limited to
// people covers a proceeding only when it covers every person the
// proceeding is against, and never one against organisations alone (it
// would tell the grantee about a part of the case it was not given).
func (sc proceedingScope) decide(action policy.Action, personIDs []string) policy.Decision {
	rec := policy.Record{Type: proceedingRecord, OwnerAgencyID: sc.c.AgencyID}
	d := policy.Decide(sc.actor, action, rec, sc.grants)
	if d == policy.Allow || len(personIDs) == 0 {
		return d
	}
	for _, id := range personIDs {
		rec.PersonID = id
		if d = policy.Decide(sc.actor, action, rec, sc.grants); d != policy.Allow {
			return d
		}
	}
	return policy.Allow
}

// mayList decides whether the actor may list a case's proceedings at all:
// with a grant of the whole case, or of some people of it (the list is
// then filtered by decide).
func (sc proceedingScope) mayList() policy.Decision {
	rec := policy.Record{Type: proceedingRecord, OwnerAgencyID: sc.c.AgencyID}
	d := policy.Decide(sc.actor, policy.Read, rec, sc.grants)
	if d == policy.Allow {
		return d
	}
	for _, g := range sc.grants {
		if g.AgencyID == sc.actor.AgencyID && len(g.PersonIDs) > 0 {
			rec.PersonID = g.PersonIDs[0]
			if policy.Decide(sc.actor, policy.Read, rec, sc.grants) == policy.Allow {
				return policy.Allow
			}
		}
	}
	return d
}

// authorize decides action on a proceeding against personIDs; an actor who
// may not read the case's proceedings at all gets "not found" (R-AZ1).
func (sc proceedingScope) authorize(action policy.Action, personIDs []string) error {
	rec := policy.Record{Type: proceedingRecord}
	if sc.mayList() == policy.DenyNotFound || (action != policy.Create && sc.decide(policy.Read, personIDs) == policy.DenyNotFound) {
		return policy.Error(policy.DenyNotFound, rec)
	}
	return policy.Error(sc.decide(action, personIDs), rec)
}

// lockCase takes the case's row lock until the transaction ends: creating
// or reopening a proceeding and erasing a person of the same case then run
// one after the other, so an erasure never misses a hold that a concurrent
// transaction is adding. SQLite's immediate transactions serialise writers
// already; the no-op UPDATE is what takes the lock on PostgreSQL.
func (db *DB) lockCase(ctx context.Context, tx *sql.Tx, caseID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET version = version WHERE id = $1`, caseID); err != nil {
		return fmt.Errorf("lock case %s: %w", caseID, db.dialect.translate(err))
	}
	return nil
}

// CreateProceeding implements flare.ProceedingService.
func (s *ProceedingService) CreateProceeding(ctx context.Context, p *flare.Proceeding) error {
	if _, err := actorOrErr(ctx); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	id, err := newID()
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		sc, err := s.db.proceedingScope(ctx, tx, p.CaseID)
		if err != nil {
			return err
		}
		if err := sc.authorize(policy.Create, p.PersonIDs); err != nil {
			return deniedParty(err, audit.ActionCreate, proceedingRecord, "", sc.c.ID)
		}
		if err := s.db.checkCasePersons(ctx, tx, sc.c.ID, p.PersonIDs,
			flare.FieldError("person_ids", "are not all people of this case")); err != nil {
			return err
		}
		if err := countIn(ctx, s.db, tx, p.OrganisationIDs, `SELECT COUNT(*) FROM organisations WHERE case_id = $1 AND id IN (%s)`, sc.c.ID,
			flare.FieldError("organisation_ids", "are not all organisations of this case")); err != nil {
			return err
		}
		if err := s.db.lockCase(ctx, tx, sc.c.ID); err != nil {
			return err
		}
		p.ID, p.AgencyID, p.RecordedBy = id, sc.actor.AgencyID, sc.actor.UserID
		if sc.actor.Console {
			p.AgencyID, p.RecordedBy = sc.c.AgencyID, "console"
		}
		key, err := s.keys.CreateDataKey(ctx, tx, proceedingRecord, p.ID)
		if err != nil {
			return err
		}
		now := s.db.partyTime()
		_, err = tx.ExecContext(ctx, `INSERT INTO proceedings (`+proceedingColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11)`,
			p.ID, p.CaseID, p.AgencyID, string(p.Kind), string(p.Stage), p.Reference, p.OpenedOn, datePtr(p.ClosedOn),
			string(p.Outcome), p.RecordedBy, now)
		if err != nil {
			return fmt.Errorf("insert proceeding: %w", s.db.dialect.translate(err))
		}
		for _, pid := range p.PersonIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO proceeding_persons (proceeding_id, person_id) VALUES ($1, $2)`, p.ID, pid); err != nil {
				return fmt.Errorf("insert proceeding person: %w", s.db.dialect.translate(err))
			}
		}
		for _, oid := range p.OrganisationIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO proceeding_organisations (proceeding_id, organisation_id) VALUES ($1, $2)`, p.ID, oid); err != nil {
				return fmt.Errorf("insert proceeding organisation: %w", s.db.dialect.translate(err))
			}
		}
		if err := s.writePenalties(ctx, tx, key, p, false); err != nil {
			return err
		}
		p.Version, p.CreatedAt, p.UpdatedAt = 1, now, now
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: proceedingRecord, recordID: p.ID,
			caseID: p.CaseID, fields: proceedingFields()})
	})
	return s.db.auditDenied(ctx, err)
}

// writePenalties stores p's penalties, notes sealed, replacing the old
// ones when replace is set.
func (s *ProceedingService) writePenalties(ctx context.Context, tx *sql.Tx, key *vault.DataKey, p *flare.Proceeding, replace bool) error {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM proceeding_penalties WHERE proceeding_id = $1`, p.ID); err != nil {
			return fmt.Errorf("clear penalties: %w", s.db.dialect.translate(err))
		}
	}
	for i, pe := range p.Penalties {
		note, err := key.SealString(penaltyNoteLocation(p.ID, i), pe.Note)
		if err != nil {
			return fmt.Errorf("seal penalty note: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO proceeding_penalties
			(proceeding_id, position, kind, amount, currency, months, suspended, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.ID, i, string(pe.Kind), pe.Amount, pe.Currency, pe.Months, pe.Suspended, note); err != nil {
			return fmt.Errorf("insert penalty: %w", s.db.dialect.translate(err))
		}
	}
	return nil
}

// loadProceeding reads one proceeding and decides action on it.
func (s *ProceedingService) loadProceeding(ctx context.Context, tx *sql.Tx, id string, action policy.Action, ev audit.Action) (*flare.Proceeding, proceedingScope, error) {
	notFound := flare.Errorf(flare.ENOTFOUND, "proceeding not found")
	if !validID(id) {
		return nil, proceedingScope{}, notFound
	}
	var caseID string
	err := tx.QueryRowContext(ctx, `SELECT case_id FROM proceedings WHERE id = $1`, id).Scan(&caseID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, proceedingScope{}, notFound
	}
	if err != nil {
		return nil, proceedingScope{}, fmt.Errorf("load proceeding %s: %w", id, s.db.dialect.translate(err))
	}
	sc, err := s.db.proceedingScope(ctx, tx, caseID)
	if err != nil {
		return nil, sc, err
	}
	list, err := s.load(ctx, tx, `WHERE id = $1`, id)
	if err != nil {
		return nil, sc, err
	}
	if err := sc.authorize(action, list[0].PersonIDs); err != nil {
		return nil, sc, deniedParty(err, ev, proceedingRecord, id, sc.c.ID)
	}
	return list[0], sc, nil
}

// Proceeding implements flare.ProceedingService.
func (s *ProceedingService) Proceeding(ctx context.Context, id string) (*flare.Proceeding, error) {
	var out *flare.Proceeding
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		p, _, err := s.loadProceeding(ctx, tx, id, policy.Read, audit.ActionRead)
		if err != nil {
			return err
		}
		if err := s.unseal(ctx, tx, p); err != nil {
			return err
		}
		out = p
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: proceedingRecord, recordID: p.ID,
			caseID: p.CaseID, fields: proceedingFields()})
	})
	return out, s.db.auditDenied(ctx, err)
}

// Proceedings implements flare.ProceedingService: those the actor may see,
// each an audited read.
func (s *ProceedingService) Proceedings(ctx context.Context, caseID string) ([]*flare.Proceeding, error) {
	var out []*flare.Proceeding
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		sc, err := s.db.proceedingScope(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := policy.Error(sc.mayList(), policy.Record{Type: proceedingRecord}); err != nil {
			return deniedParty(err, audit.ActionRead, proceedingRecord, "", sc.c.ID)
		}
		all, err := s.load(ctx, tx, fmt.Sprintf(`WHERE case_id = $1 ORDER BY opened_on DESC, created_at DESC, id DESC LIMIT %d`,
			maxProceedingsListed), sc.c.ID)
		if err != nil {
			return err
		}
		for _, p := range all {
			if sc.decide(policy.Read, p.PersonIDs) != policy.Allow {
				continue
			}
			if err := s.unseal(ctx, tx, p); err != nil {
				return err
			}
			out = append(out, p)
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: proceedingRecord, recordID: p.ID,
				caseID: sc.c.ID, fields: proceedingFields()}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// UpdateProceeding implements flare.ProceedingService, with the version
// check in the UPDATE itself (R-CC1).
func (s *ProceedingService) UpdateProceeding(ctx context.Context, id string, upd flare.ProceedingUpdate) (*flare.Proceeding, error) {
	var out *flare.Proceeding
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		p, _, err := s.loadProceeding(ctx, tx, id, policy.Update, audit.ActionUpdate)
		if err != nil {
			return err
		}
		if p.Version != upd.Version {
			return staleParty("proceeding", p.Version, upd.Version)
		}
		if upd.Penalties == nil {
			if err := s.unseal(ctx, tx, p); err != nil {
				return err
			}
		}
		changed := upd.Apply(p, s.db.now())
		if err := p.Validate(); err != nil {
			return err
		}
		if upd.Stage != nil {
			// A reopened proceeding puts the case's people back under a
			// legal hold: serialise with erasures (see lockCase).
			if err := s.db.lockCase(ctx, tx, p.CaseID); err != nil {
				return err
			}
		}
		now := s.db.partyTime()
		res, err := tx.ExecContext(ctx, `UPDATE proceedings SET stage = $1, reference = $2, closed_on = $3, outcome = $4,
			version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7`,
			string(p.Stage), p.Reference, datePtr(p.ClosedOn), string(p.Outcome), now, p.ID, upd.Version)
		if err := versionedWrite(res, err, "update proceeding", func() error { return staleParty("proceeding", p.Version+1, upd.Version) }); err != nil {
			return err
		}
		if upd.Penalties != nil {
			key, err := s.keys.DataKey(ctx, tx, proceedingRecord, p.ID)
			if err != nil {
				return fmt.Errorf("key of proceeding %s: %w", p.ID, err)
			}
			if err := s.writePenalties(ctx, tx, key, p, true); err != nil {
				return err
			}
		}
		p.Version++
		p.UpdatedAt = now
		out = p
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: proceedingRecord, recordID: p.ID,
			caseID: p.CaseID, fields: changed})
	})
	return out, s.db.auditDenied(ctx, err)
}

// load reads the proceedings a WHERE clause selects, with who they are
// against and their penalties, notes still sealed (see unseal).
func (s *ProceedingService) load(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.Proceeding, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+proceedingColumns+` FROM proceedings `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list proceedings: %w", s.db.dialect.translate(err))
	}
	var out []*flare.Proceeding
	for rows.Next() {
		var p flare.Proceeding
		var kind, stage, outcome string
		var closed sql.NullTime
		if err := rows.Scan(&p.ID, &p.CaseID, &p.AgencyID, &kind, &stage, &p.Reference, &p.OpenedOn, &closed, &outcome,
			&p.RecordedBy, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan proceeding: %w", err)
		}
		p.Kind, p.Stage, p.Outcome = flare.ProceedingKind(kind), flare.ProceedingStage(stage), flare.ProceedingOutcome(outcome)
		p.OpenedOn = flare.DateOf(p.OpenedOn)
		p.ClosedOn = nullDate(closed)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		out = append(out, &p)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list proceedings: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list proceedings: %w", err)
	}
	for _, p := range out {
		if p.PersonIDs, err = linkedIDs(ctx, tx, `SELECT person_id FROM proceeding_persons WHERE proceeding_id = $1 ORDER BY person_id`, p.ID); err != nil {
			return nil, err
		}
		if p.OrganisationIDs, err = linkedIDs(ctx, tx, `SELECT organisation_id FROM proceeding_organisations WHERE proceeding_id = $1 ORDER BY organisation_id`, p.ID); err != nil {
			return nil, err
		}
		if err := s.loadPenalties(ctx, tx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *ProceedingService) loadPenalties(ctx context.Context, tx *sql.Tx, p *flare.Proceeding) error {
	rows, err := tx.QueryContext(ctx, `SELECT position, kind, amount, currency, months, suspended, note FROM proceeding_penalties
		WHERE proceeding_id = $1 ORDER BY position`, p.ID)
	if err != nil {
		return fmt.Errorf("penalties of proceeding %s: %w", p.ID, err)
	}
	defer rows.Close()
	p.Penalties = []flare.Penalty{}
	for rows.Next() {
		var pe flare.Penalty
		var pos int
		var kind string
		var note []byte
		if err := rows.Scan(&pos, &kind, &pe.Amount, &pe.Currency, &pe.Months, &pe.Suspended, &note); err != nil {
			return fmt.Errorf("penalties of proceeding %s: %w", p.ID, err)
		}
		pe.Kind = flare.PenaltyKind(kind)
		// The sealed note rides in Note until unseal opens it; it never
		// leaves the store sealed (unseal runs before any return).
		pe.Note = string(note)
		p.Penalties = append(p.Penalties, pe)
	}
	return rows.Err()
}

// unseal opens the penalty notes of p with the proceeding's data key.
func (s *ProceedingService) unseal(ctx context.Context, tx *sql.Tx, p *flare.Proceeding) error {
	if len(p.Penalties) == 0 {
		return nil
	}
	key, err := s.keys.DataKey(ctx, tx, proceedingRecord, p.ID)
	if err != nil {
		return fmt.Errorf("key of proceeding %s: %w", p.ID, err)
	}
	for i := range p.Penalties {
		if p.Penalties[i].Note, err = key.OpenString(penaltyNoteLocation(p.ID, i), []byte(p.Penalties[i].Note)); err != nil {
			return fmt.Errorf("open penalty note of proceeding %s: %w", p.ID, err)
		}
	}
	return nil
}

// openHolds returns the legal holds on the people of a case: its
// proceedings not yet closed, oldest first (security checklist R-DP3).
func (db *DB) openHolds(ctx context.Context, tx *sql.Tx, caseID string) ([]flare.LegalHold, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, reference, opened_on FROM proceedings
		WHERE case_id = $1 AND stage <> $2 ORDER BY opened_on, id`, caseID, string(flare.StageClosed))
	if err != nil {
		return nil, fmt.Errorf("legal holds of case %s: %w", caseID, db.dialect.translate(err))
	}
	defer rows.Close()
	out := []flare.LegalHold{}
	for rows.Next() {
		var h flare.LegalHold
		var kind string
		if err := rows.Scan(&h.ProceedingID, &kind, &h.Reference, &h.OpenedOn); err != nil {
			return nil, fmt.Errorf("legal holds of case %s: %w", caseID, err)
		}
		h.Kind, h.OpenedOn = flare.ProceedingKind(kind), flare.DateOf(h.OpenedOn)
		out = append(out, h)
	}
	return out, rows.Err()
}
