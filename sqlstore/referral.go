package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// ReferralService implements flare.ReferralService (issue #6, the core:
// send, accept once, decline, overdue).
type ReferralService struct{ db *DB }

// NewReferralService returns the referral service on db.
func NewReferralService(db *DB) *ReferralService { return &ReferralService{db: db} }

var _ flare.ReferralService = (*ReferralService)(nil)

const referralColumns = `id, case_id, from_agency_id, to_agency_id, purpose, urgent, access, person_ids, field_groups,
	legal_basis, reference, consent_given_on, consent_scope, expires_on, due_on, status, decline_reason, decided_at,
	grant_id, sent_by, created_at, consent_language, consent_interpreter, consent_person_id, consent_withdrawn_at`

// SendReferral implements flare.ReferralService: whoever may work on the
// case in its own agency may refer it.
func (s *ReferralService) SendReferral(ctx context.Context, r *flare.Referral) error {
	if err := r.Validate(); err != nil {
		return err
	}
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if !validID(r.ToAgencyID) {
		return flare.FieldError("to_agency_id", "no such agency")
	}
	id, err := newID()
	if err != nil {
		return err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, r.CaseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Update, c); err != nil {
			return deniedCase(err, audit.ActionShare, c.ID)
		}
		// A grantee may work on the case but not pass it on: sharing stays
		// with the owning agency (policy: "Sharing ... stays with the
		// owner"), else a partner could widen its own grant by referring
		// the case to itself.
		if !actor.Console && actor.AgencyID != c.AgencyID {
			return deniedCase(flare.Errorf(flare.EFORBIDDEN, "only the case's own agency may refer it"), audit.ActionShare, c.ID)
		}
		if r.ToAgencyID == c.AgencyID {
			return flare.FieldError("to_agency_id", "is the case's own agency")
		}
		g := r.Grant
		if err := s.db.checkConsentPerson(ctx, tx, c.ID, g.ConsentPersonID); err != nil {
			return err
		}
		if err := s.db.checkCasePersons(ctx, tx, c.ID, g.PersonIDs,
			flare.FieldError("person_ids", "are not all people of this case")); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO referrals (`+referralColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
			$10, $11, $12, $13, $14, $15, $16, '', NULL, NULL, $17, $18, $19, $20, $21, NULL)`,
			id, c.ID, c.AgencyID, r.ToAgencyID, r.Purpose, r.Urgent, string(g.Access), strings.Join(g.PersonIDs, ","),
			joinFieldGroups(g.FieldGroups), string(g.Basis), g.Reference, datePtr(g.ConsentGivenOn), g.ConsentScope,
			datePtr(g.ExpiresOn), r.DueOn, string(flare.ReferralSent), actor.UserID, now,
			g.ConsentLanguage, g.ConsentInterpreter, nullString(g.ConsentPersonID))
		if s.db.dialect.constraint(err) == foreignKeyViolation {
			return flare.FieldError("to_agency_id", "no such agency")
		}
		if err != nil {
			return fmt.Errorf("insert referral: %w", s.db.dialect.translate(err))
		}
		r.ID, r.FromAgencyID, r.Status, r.SentBy, r.CreatedAt = id, c.AgencyID, flare.ReferralSent, actor.UserID, now
		r.CaseReference = c.Reference
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "referral", recordID: id, caseID: c.ID,
			fields: []string{"to_agency_id", "purpose", "sharing", "due_on"}, justification: string(g.Basis)})
	})
	return s.db.auditDenied(ctx, err)
}

// Referrals implements flare.ReferralService.
func (s *ReferralService) Referrals(ctx context.Context) ([]*flare.Referral, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	if !worksCases(actor) {
		return nil, s.db.recordDenial(ctx, flare.Errorf(flare.EFORBIDDEN, "referrals are for staff who work on cases"),
			auditEvent{action: audit.ActionRead, recordType: "referral"})
	}
	var out []*flare.Referral
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.load(ctx, tx, `WHERE from_agency_id = $1 OR to_agency_id = $1
			ORDER BY CASE WHEN status = 'sent' THEN 0 ELSE 1 END, urgent DESC, due_on, id LIMIT 200`, actor.AgencyID)
		if err != nil {
			return err
		}
		for _, r := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "referral", recordID: r.ID, caseID: r.CaseID,
				fields: []string{"purpose", "sharing", "status"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// worksCases reports whether the actor holds a role that works on cases.
func worksCases(a flare.Actor) bool {
	if a.Console {
		return true
	}
	for _, r := range a.Roles {
		if r != string(flare.RoleAdmin) && r != string(flare.RoleAnalyst) {
			return true
		}
	}
	return false
}

// AcceptReferral implements flare.ReferralService. The status moves from
// sent to accepted in one guarded UPDATE, so of concurrent accepts exactly
// one wins and creates the grant; the others are conflicts.
func (s *ReferralService) AcceptReferral(ctx context.Context, id string) (*flare.Referral, error) {
	return s.decide(ctx, id, flare.ReferralAccepted, "")
}

// DeclineReferral implements flare.ReferralService.
func (s *ReferralService) DeclineReferral(ctx context.Context, id, reason string) (*flare.Referral, error) {
	reason = flare.CleanLine(reason)
	if reason == "" {
		return nil, flare.FieldError("reason", "say why the referral is declined")
	}
	return s.decide(ctx, id, flare.ReferralDeclined, reason)
}

func (s *ReferralService) decide(ctx context.Context, id string, to flare.ReferralStatus, reason string) (*flare.Referral, error) {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "referral not found")
	}
	var out *flare.Referral
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		list, err := s.load(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if len(list) == 0 || (!actor.Console && list[0].ToAgencyID != actor.AgencyID) {
			return deniedReferral(flare.Errorf(flare.ENOTFOUND, "referral not found"), answerAction(to), id, list)
		}
		r := list[0]
		if !worksCases(actor) {
			return deniedReferral(flare.Errorf(flare.EFORBIDDEN, "referrals are answered by staff who work on cases"), answerAction(to), id, list)
		}
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET status = $1, decline_reason = $2, decided_by = $3, decided_at = $4
			WHERE id = $5 AND status = 'sent'`, string(to), reason, actor.UserID, now, id)
		if err != nil {
			return fmt.Errorf("answer referral: %w", s.db.dialect.translate(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("answer referral: %w", err)
		} else if n != 1 {
			return flare.Errorf(flare.ECONFLICT, "the referral was already %s", r.Status)
		}
		r.Status, r.DeclineReason, r.DecidedAt, r.Overdue = to, reason, &now, false
		action := audit.ActionUpdate
		if to == flare.ReferralAccepted {
			if r.GrantID, err = s.grant(ctx, tx, r, now); err != nil {
				return err
			}
			action = audit.ActionShare
		}
		out = r
		return s.db.record(ctx, tx, auditEvent{action: action, recordType: "referral", recordID: id, caseID: r.CaseID,
			fields: []string{"status"}})
	})
	return out, s.db.auditDenied(ctx, err)
}

// answerAction is the audit action of answering a referral: accepting
// shares the case, declining updates the referral.
func answerAction(to flare.ReferralStatus) audit.Action {
	if to == flare.ReferralAccepted {
		return audit.ActionShare
	}
	return audit.ActionUpdate
}

// deniedReferral wraps a refusal on referral id (found is what was loaded
// under it, possibly nothing) so that auditDenied records it.
func deniedReferral(err error, action audit.Action, id string, found []*flare.Referral) error {
	ev := auditEvent{action: action, recordType: "referral", recordID: id}
	if len(found) > 0 {
		ev.caseID = found[0].CaseID
	}
	return &denial{err: err, ev: ev}
}

// grant gives the receiving agency the access the accepted referral
// covers, with its legal basis.
func (s *ReferralService) grant(ctx context.Context, tx *sql.Tx, r *flare.Referral, now time.Time) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	g := r.Grant
	g.ID, g.CaseID, g.AgencyID, g.GrantedBy, g.CreatedAt, g.ReferralID = id, r.CaseID, r.ToAgencyID, "referral "+r.ID, now, r.ID
	if err := s.db.insertGrant(ctx, tx, &g); err != nil {
		return "", fmt.Errorf("grant the accepted referral: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE referrals SET grant_id = $1 WHERE id = $2`, id, r.ID); err != nil {
		return "", fmt.Errorf("grant the accepted referral: %w", s.db.dialect.translate(err))
	}
	return id, s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "case_grant", recordID: id, caseID: r.CaseID,
		fields: grantFields(&g), justification: string(g.Basis)})
}

// load reads referrals; an unanswered one past its due date is overdue.
func (s *ReferralService) load(ctx context.Context, tx *sql.Tx, where string, args ...any) ([]*flare.Referral, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+referralColumns+`,
		(SELECT reference FROM cases WHERE cases.id = referrals.case_id) FROM referrals `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list referrals: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	today := flare.DateOf(s.db.now())
	var out []*flare.Referral
	for rows.Next() {
		var r flare.Referral
		var access, persons, groups, basis, status string
		var given, expires, decided, withdrawn sql.NullTime
		var grant, person sql.NullString
		if err := rows.Scan(&r.ID, &r.CaseID, &r.FromAgencyID, &r.ToAgencyID, &r.Purpose, &r.Urgent, &access, &persons, &groups,
			&basis, &r.Grant.Reference, &given, &r.Grant.ConsentScope, &expires, &r.DueOn, &status, &r.DeclineReason, &decided,
			&grant, &r.SentBy, &r.CreatedAt, &r.Grant.ConsentLanguage, &r.Grant.ConsentInterpreter, &person, &withdrawn,
			&r.CaseReference); err != nil {
			return nil, fmt.Errorf("scan referral: %w", err)
		}
		r.Grant.Access, r.Grant.Basis, r.Status = flare.GrantAccess(access), flare.LegalBasis(basis), flare.ReferralStatus(status)
		r.Grant.PersonIDs, r.Grant.FieldGroups = splitList(persons), fieldGroupList(groups)
		r.Grant.ConsentGivenOn, r.Grant.ExpiresOn, r.DecidedAt = nullDate(given), nullDate(expires), nullTime(decided)
		r.Grant.AgencyID, r.Grant.CaseID, r.GrantID = r.ToAgencyID, r.CaseID, grant.String
		r.Grant.ConsentPersonID, r.ConsentWithdrawnAt = person.String, nullTime(withdrawn)
		r.DueOn, r.CreatedAt = flare.DateOf(r.DueOn), r.CreatedAt.UTC()
		r.Overdue = r.Status == flare.ReferralSent && r.DueOn.Before(today)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// CaseReferrals implements flare.ReferralService.
func (s *ReferralService) CaseReferrals(ctx context.Context, caseID string) ([]*flare.Referral, error) {
	var out []*flare.Referral
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Update, c); err != nil {
			return deniedCase(err, audit.ActionRead, c.ID)
		}
		if out, err = s.load(ctx, tx, `WHERE case_id = $1 ORDER BY created_at DESC, id`, c.ID); err != nil {
			return err
		}
		for _, r := range out {
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "referral", recordID: r.ID, caseID: r.CaseID,
				fields: []string{"purpose", "sharing", "status"}}); err != nil {
				return err
			}
		}
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// WithdrawConsent implements flare.ReferralService.
func (s *ReferralService) WithdrawConsent(ctx context.Context, id string) (*flare.Referral, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "referral not found")
	}
	var out *flare.Referral
	now := s.db.now().UTC()
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		list, err := s.load(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		actor, _ := flare.ActorFrom(ctx)
		if len(list) == 0 || (!actor.Console && actor.AgencyID != list[0].FromAgencyID && actor.AgencyID != list[0].ToAgencyID) {
			return deniedReferral(flare.Errorf(flare.ENOTFOUND, "referral not found"), audit.ActionShare, id, list)
		}
		r := list[0]
		if err := s.db.mayRecordWithdrawal(ctx, tx, r.CaseID, r.ToAgencyID); err != nil {
			return err
		}
		switch {
		case r.Grant.Basis != flare.BasisConsent:
			return flare.Errorf(flare.ECONFLICT, "this referral rests on %s, not on consent", r.Grant.Basis)
		case r.ConsentWithdrawnAt != nil:
			return flare.Errorf(flare.ECONFLICT, "the consent was already withdrawn")
		case r.Status == flare.ReferralDeclined:
			return flare.Errorf(flare.ECONFLICT, "the referral was declined: nothing was shared")
		}
		if err := s.withdraw(ctx, tx, r, now); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// withdraw ends what r shares: an unanswered referral becomes withdrawn
// (the guarded UPDATE loses to a concurrent accept, which then owns the
// grant revoked below on a retry); an accepted one has its grant revoked.
func (s *ReferralService) withdraw(ctx context.Context, tx *sql.Tx, r *flare.Referral, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE referrals SET consent_withdrawn_at = $1,
		status = CASE WHEN status = 'sent' THEN 'withdrawn' ELSE status END
		WHERE id = $2 AND consent_withdrawn_at IS NULL AND status = $3`, now, r.ID, string(r.Status))
	if err != nil {
		return fmt.Errorf("withdraw consent of referral %s: %w", r.ID, s.db.dialect.translate(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("withdraw consent of referral %s: %w", r.ID, err)
	} else if n != 1 {
		return flare.Errorf(flare.ECONFLICT, "the referral changed meanwhile; reload it and withdraw again")
	}
	if r.Status == flare.ReferralSent {
		r.Status = flare.ReferralWithdrawn
	}
	r.ConsentWithdrawnAt, r.Overdue = &now, false
	if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "referral", recordID: r.ID, caseID: r.CaseID,
		fields: []string{"consent_withdrawn_at", "status"}, justification: "consent withdrawn"}); err != nil {
		return err
	}
	if r.GrantID == "" {
		return nil
	}
	grants, err := s.db.loadGrants(ctx, tx, `WHERE id = $1`, r.GrantID)
	if err != nil {
		return err
	}
	if len(grants) == 1 && grants[0].ConsentWithdrawnAt == nil {
		return s.db.withdrawGrant(ctx, tx, grants[0], now)
	}
	return nil
}
