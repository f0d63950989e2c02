package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// Erasure of a person (security checklist R-DP3): the person's data key is
// crypto-shredded, which makes their identity and everything else sealed
// under it (screenings, wage claims) unreadable in the database and in
// every backup; their name tokens go, and their plaintext profile is
// cleared. The person's row stays, as the anchor of the audit entries that
// say who did what to them, which are kept: an erasure does not rewrite
// history, it makes the data unreadable. While a proceeding about their
// case is open the erasure is refused with the hold's reason: the evidence
// may be needed in court (GDPR Art. 17(3)(e), "establishment, exercise or
// defence of legal claims"; the same exception in most data protection
// laws).

var _ flare.PersonEraser = (*PersonService)(nil)

// holdRefusal carries an erasure refused by a legal hold out of its
// transaction, with the audit entry to write once it has rolled back.
type holdRefusal struct {
	err error
	ev  auditEvent
}

func (h *holdRefusal) Error() string { return h.err.Error() }
func (h *holdRefusal) Unwrap() error { return h.err }

// erasedFields names what an erasure makes unreadable or clears, for the
// audit trail.
func erasedFields() []string {
	return append(policy.GroupFields(flare.FieldGroupIdentity), policy.GroupFields(flare.FieldGroupProfile)...)
}

// ErasePerson implements flare.PersonEraser.
func (s *PersonService) ErasePerson(ctx context.Context, personID, reason string) error {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if reason, err = flare.CleanErasureReason(reason); err != nil {
		return err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		sp, err := s.loadPerson(ctx, tx, personID)
		if err != nil {
			return err
		}
		sc, err := s.scope(ctx, tx, sp.p.CaseID)
		if err != nil {
			return err
		}
		rec := sc.record(sp.p.ID)
		if err := policy.Error(policy.Decide(actor, policy.Delete, rec, sc.grants), rec); err != nil {
			return deniedPerson(err, audit.ActionDelete, sp.p.ID, sc.c.ID, nil)
		}
		// Take the case's lock before looking for holds, so that a
		// proceeding being opened in the same case is seen (see lockCase).
		if err := s.db.lockCase(ctx, tx, sc.c.ID); err != nil {
			return err
		}
		holds, err := s.db.openHolds(ctx, tx, sc.c.ID)
		if err != nil {
			return err
		}
		if len(holds) > 0 {
			return &holdRefusal{err: holdError(holds), ev: auditEvent{action: audit.ActionDelete, outcome: audit.OutcomeDenied,
				recordType: "person", recordID: sp.p.ID, caseID: sc.c.ID, fields: []string{"legal_hold"}, justification: reason}}
		}
		// Shred first: DestroyDataKey punctures the key ring before the
		// commit, so a failure after it leaves the person unreadable and
		// the erasure can simply be run again.
		if err := s.keys.DestroyDataKey(ctx, tx, personOwner, sp.p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM person_name_tokens WHERE person_id = $1`, sp.p.ID); err != nil {
			return fmt.Errorf("erase name tokens of person %s: %w", sp.p.ID, s.db.dialect.translate(err))
		}
		if err := s.db.unindexText(ctx, tx, sp.p.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE persons SET gender = '', age_years = NULL, age_estimated = $1, citizenship = '',
			primary_language = '', secondary_language = '', victim_stage = '', victim_status = '',
			version = version + 1, updated_at = $2 WHERE id = $3`, false, s.db.now().UTC(), sp.p.ID); err != nil {
			return fmt.Errorf("clear profile of person %s: %w", sp.p.ID, s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionDelete, recordType: "person", recordID: sp.p.ID,
			caseID: sc.c.ID, fields: erasedFields(), justification: reason})
	})
	var hr *holdRefusal
	if errors.As(err, &hr) {
		// The refusal is recorded in a transaction of its own, since the
		// erasure's rolled back, like a policy denial (recordDenial).
		ctx := context.WithoutCancel(ctx)
		if rerr := s.db.inTx(ctx, func(tx *sql.Tx) error { return s.db.record(ctx, tx, hr.ev) }); rerr != nil {
			return fmt.Errorf("record refused erasure: %w", rerr)
		}
		return hr.err
	}
	return s.db.auditDenied(ctx, err)
}

// holdError is the refusal of an erasure under holds, naming them.
func holdError(holds []flare.LegalHold) error {
	reasons := make([]string, len(holds))
	for i, h := range holds {
		reasons[i] = h.Reason()
	}
	return &flare.Error{Code: flare.ECONFLICT, Fields: map[string]string{"legal_hold": reasons[0]},
		Message: "the person is under a legal hold and cannot be erased: " + strings.Join(reasons, "; ")}
}

// LegalHolds implements flare.PersonEraser: anyone who may read the person
// may know why they cannot be erased. The read is audited.
func (s *PersonService) LegalHolds(ctx context.Context, personID string) ([]flare.LegalHold, error) {
	var out []flare.LegalHold
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.personScope(ctx, tx, personID, policy.Read, "person")
		if err != nil {
			return err
		}
		if out, err = s.db.openHolds(ctx, tx, c.ID); err != nil {
			return err
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "legal_hold", recordID: personID,
			caseID: c.ID, fields: []string{"legal_hold"}})
	})
	return out, s.db.auditDenied(ctx, err)
}
