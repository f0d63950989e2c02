package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
)

// GrantService implements flare.GrantService.
type GrantService struct{ db *DB }

// NewGrantService returns the grant service on db.
func NewGrantService(db *DB) *GrantService { return &GrantService{db: db} }

var _ flare.GrantService = (*GrantService)(nil)

const grantColumns = `id, case_id, agency_id, access, person_ids, legal_basis, reference, consent_given_on, consent_scope,
	expires_on, granted_by, created_at, revoked_at, field_groups, consent_language, consent_interpreter, consent_person_id,
	consent_withdrawn_at, referral_id`

// insertGrant writes g, whose ID, CaseID, GrantedBy and CreatedAt are set.
func (db *DB) insertGrant(ctx context.Context, tx *sql.Tx, g *flare.CaseGrant) error {
	if err := db.checkConsentPerson(ctx, tx, g.CaseID, g.ConsentPersonID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_grants (`+grantColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13, $14, $15, $16, NULL, $17)`,
		g.ID, g.CaseID, g.AgencyID, string(g.Access), strings.Join(g.PersonIDs, ","), string(g.Basis), g.Reference,
		datePtr(g.ConsentGivenOn), g.ConsentScope, datePtr(g.ExpiresOn), g.GrantedBy, g.CreatedAt, joinFieldGroups(g.FieldGroups),
		g.ConsentLanguage, g.ConsentInterpreter, nullString(g.ConsentPersonID), nullString(g.ReferralID))
	if db.dialect.constraint(err) == foreignKeyViolation {
		return flare.FieldError("agency_id", "no such agency")
	}
	if err != nil {
		return fmt.Errorf("insert grant: %w", db.dialect.translate(err))
	}
	return nil
}

// checkConsentPerson refuses a consenting person who is not in the case.
func (db *DB) checkConsentPerson(ctx context.Context, tx *sql.Tx, caseID, personID string) error {
	if personID == "" {
		return nil
	}
	return db.checkCasePersons(ctx, tx, caseID, []string{personID},
		flare.FieldError("consent_person_id", "is not a person of this case"))
}

// checkCasePersons returns bad unless every id (repeats allowed) names a
// person of case caseID.
func (db *DB) checkCasePersons(ctx context.Context, tx *sql.Tx, caseID string, ids []string, bad error) error {
	return countIn(ctx, db, tx, slices.Compact(slices.Sorted(slices.Values(ids))),
		`SELECT COUNT(*) FROM persons WHERE case_id = $1 AND id IN (%s)`, caseID, bad)
}

// loadGrants reads grants; where filters and orders them.
func (db *DB) loadGrants(ctx context.Context, q queryer, where string, args ...any) ([]*flare.CaseGrant, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+grantColumns+` FROM case_grants `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", db.dialect.translate(err))
	}
	defer rows.Close()
	out := []*flare.CaseGrant{}
	for rows.Next() {
		var g flare.CaseGrant
		var access, people, basis, groups string
		var given, expires, revoked, withdrawn sql.NullTime
		var person, referral sql.NullString
		if err := rows.Scan(&g.ID, &g.CaseID, &g.AgencyID, &access, &people, &basis, &g.Reference, &given,
			&g.ConsentScope, &expires, &g.GrantedBy, &g.CreatedAt, &revoked, &groups, &g.ConsentLanguage,
			&g.ConsentInterpreter, &person, &withdrawn, &referral); err != nil {
			return nil, fmt.Errorf("load grants: %w", err)
		}
		g.FieldGroups = fieldGroupList(groups)
		g.Access, g.Basis, g.PersonIDs = flare.GrantAccess(access), flare.LegalBasis(basis), splitList(people)
		g.ConsentGivenOn, g.ExpiresOn, g.RevokedAt = nullDate(given), nullDate(expires), nullTime(revoked)
		g.ConsentWithdrawnAt, g.ConsentPersonID, g.ReferralID = nullTime(withdrawn), person.String, referral.String
		g.CreatedAt = g.CreatedAt.UTC()
		out = append(out, &g)
	}
	return out, rows.Err()
}

// activeGrants returns the policy's view of the grants of a case that are
// in force now: not revoked and not past their expiry date.
func (db *DB) activeGrants(ctx context.Context, q queryer, caseID string) ([]policy.Grant, error) {
	rows, err := q.QueryContext(ctx, `SELECT agency_id, access, person_ids, field_groups FROM case_grants
		WHERE case_id = $1 AND revoked_at IS NULL AND (expires_on IS NULL OR expires_on >= $2)`, caseID, flare.DateOf(db.now()))
	if err != nil {
		return nil, fmt.Errorf("load grants of case %s: %w", caseID, err)
	}
	defer rows.Close()
	var out []policy.Grant
	for rows.Next() {
		var g policy.Grant
		var access, people, groups string
		if err := rows.Scan(&g.AgencyID, &access, &people, &groups); err != nil {
			return nil, fmt.Errorf("load grants of case %s: %w", caseID, err)
		}
		g.Access = policy.Access(access)
		g.PersonIDs = splitList(people)
		g.FieldGroups = fieldGroupList(groups)
		out = append(out, g)
	}
	return out, rows.Err()
}

// queryer is a *sql.DB or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// ShareCase implements flare.GrantService.
func (s *GrantService) ShareCase(ctx context.Context, g *flare.CaseGrant) error {
	if err := g.Validate(); err != nil {
		return err
	}
	if !validID(g.AgencyID) {
		return flare.FieldError("agency_id", "no such agency")
	}
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		c, err := s.db.loadCase(ctx, tx, g.CaseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Share, c); err != nil {
			return deniedCase(err, audit.ActionShare, c.ID)
		}
		if g.AgencyID == c.AgencyID {
			return flare.FieldError("agency_id", "is the case's own agency")
		}
		id, err := newID()
		if err != nil {
			return err
		}
		now := s.db.now().UTC()
		grantedBy := actor.UserID
		if actor.Console {
			grantedBy = "console"
		}
		g.ID, g.CaseID, g.GrantedBy, g.CreatedAt = id, c.ID, grantedBy, now
		if err := s.db.insertGrant(ctx, tx, g); err != nil {
			return err
		}
		// The justification names the kind of legal basis only: the
		// reference may name the person who consented.
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "case_grant", recordID: id, caseID: c.ID,
			fields: grantFields(g), justification: string(g.Basis)})
	})
	return s.db.auditDenied(ctx, err)
}

// grantFields names what a grant records, for the audit trail.
func grantFields(g *flare.CaseGrant) []string {
	f := []string{"access", "agency_id", "legal_basis", "reference"}
	if len(g.PersonIDs) > 0 {
		f = append(f, "person_ids")
	}
	if len(g.FieldGroups) > 0 {
		f = append(f, "field_groups")
	}
	if g.Basis == flare.BasisConsent {
		f = append(f, "consent_given_on", "consent_language", "consent_scope", "expires_on")
		if g.ConsentInterpreter != "" {
			f = append(f, "consent_interpreter")
		}
		if g.ConsentPersonID != "" {
			f = append(f, "consent_person_id")
		}
	}
	return f
}

// RevokeGrant implements flare.GrantService.
func (s *GrantService) RevokeGrant(ctx context.Context, grantID string) error {
	if !validID(grantID) {
		return flare.Errorf(flare.ENOTFOUND, "grant not found")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var caseID string
		err := tx.QueryRowContext(ctx, `SELECT case_id FROM case_grants WHERE id = $1`, grantID).Scan(&caseID)
		if errors.Is(err, sql.ErrNoRows) {
			return flare.Errorf(flare.ENOTFOUND, "grant not found")
		}
		if err != nil {
			return fmt.Errorf("load grant %s: %w", grantID, err)
		}
		c, err := s.db.loadCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := s.db.authorizeCase(ctx, tx, policy.Share, c); err != nil {
			return deniedCase(err, audit.ActionShare, c.ID)
		}
		res, err := tx.ExecContext(ctx, `UPDATE case_grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
			s.db.now().UTC(), grantID)
		if err != nil {
			return fmt.Errorf("revoke grant %s: %w", grantID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // already revoked: nothing changed, nothing to record
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "case_grant", recordID: grantID, caseID: c.ID,
			fields: []string{"revoked_at"}})
	})
	return s.db.auditDenied(ctx, err)
}

// CaseGrants implements flare.GrantService.
func (s *GrantService) CaseGrants(ctx context.Context, caseID string) ([]*flare.CaseGrant, error) {
	c, err := s.db.loadCase(ctx, s.db.sql, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.db.authorizeCase(ctx, s.db.sql, policy.Share, c); err != nil {
		return nil, s.db.auditDenied(ctx, deniedCase(err, audit.ActionRead, c.ID))
	}
	return s.db.loadGrants(ctx, s.db.sql, `WHERE case_id = $1 ORDER BY created_at, id`, c.ID)
}

// fieldGroupList reads the field_groups column: comma-separated, empty for
// every group.
func fieldGroupList(s string) []flare.FieldGroup {
	var out []flare.FieldGroup
	for _, g := range splitList(s) {
		out = append(out, flare.FieldGroup(g))
	}
	return out
}

func joinFieldGroups(gs []flare.FieldGroup) string {
	parts := make([]string, len(gs))
	for i, g := range gs {
		parts[i] = string(g)
	}
	return strings.Join(parts, ",")
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func datePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return flare.DateOf(*t)
}

func nullDate(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	d := flare.DateOf(t.Time)
	return &d
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// WithdrawConsent implements flare.GrantService.
func (s *GrantService) WithdrawConsent(ctx context.Context, grantID string) (*flare.CaseGrant, error) {
	if _, err := actorOrErr(ctx); err != nil {
		return nil, err
	}
	if !validID(grantID) {
		return nil, flare.Errorf(flare.ENOTFOUND, "grant not found")
	}
	var out *flare.CaseGrant
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		list, err := s.db.loadGrants(ctx, tx, `WHERE id = $1`, grantID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return flare.Errorf(flare.ENOTFOUND, "grant not found")
		}
		g := list[0]
		if err := s.db.mayRecordWithdrawal(ctx, tx, g.CaseID, g.AgencyID); err != nil {
			return err
		}
		if g.Basis != flare.BasisConsent {
			return flare.Errorf(flare.ECONFLICT, "this sharing rests on %s, not on consent: a supervisor revokes it instead", g.Basis)
		}
		if err := s.db.withdrawGrant(ctx, tx, g, s.db.now().UTC()); err != nil {
			return err
		}
		out = g
		if g.ReferralID == "" {
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE referrals SET consent_withdrawn_at = $1 WHERE id = $2 AND consent_withdrawn_at IS NULL`,
			*g.ConsentWithdrawnAt, g.ReferralID)
		if err != nil {
			return fmt.Errorf("withdraw consent of referral %s: %w", g.ReferralID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "referral", recordID: g.ReferralID, caseID: g.CaseID,
			fields: []string{"consent_withdrawn_at"}, justification: "consent withdrawn"})
	})
	return out, s.db.auditDenied(ctx, err)
}

// mayRecordWithdrawal lets the staff of the case's agency who may work on
// it, and the staff of the receiving agency, record a withdrawal of
// consent: the person may tell either.
func (db *DB) mayRecordWithdrawal(ctx context.Context, tx *sql.Tx, caseID, receiverID string) error {
	actor, err := actorOrErr(ctx)
	if err != nil {
		return err
	}
	if worksCases(actor) && actor.AgencyID == receiverID {
		return nil
	}
	c, err := db.loadCase(ctx, tx, caseID)
	if err != nil {
		return err
	}
	if err := db.authorizeCase(ctx, tx, policy.Update, c); err != nil {
		return deniedCase(err, audit.ActionShare, c.ID)
	}
	return nil
}

// withdrawGrant marks the consent of g withdrawn now and revokes g, both
// in tx, so the receiving agency's next read is refused (R-DP4). A second
// withdrawal is a conflict: it changes nothing.
func (db *DB) withdrawGrant(ctx context.Context, tx *sql.Tx, g *flare.CaseGrant, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE case_grants SET consent_withdrawn_at = $1, revoked_at = COALESCE(revoked_at, $1)
		WHERE id = $2 AND consent_withdrawn_at IS NULL`, now, g.ID)
	if err != nil {
		return fmt.Errorf("withdraw consent of grant %s: %w", g.ID, db.dialect.translate(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("withdraw consent of grant %s: %w", g.ID, err)
	} else if n != 1 {
		return flare.Errorf(flare.ECONFLICT, "the consent was already withdrawn")
	}
	if g.RevokedAt == nil {
		g.RevokedAt = &now
	}
	g.ConsentWithdrawnAt = &now
	return db.record(ctx, tx, auditEvent{action: audit.ActionShare, recordType: "case_grant", recordID: g.ID, caseID: g.CaseID,
		fields: []string{"consent_withdrawn_at", "revoked_at"}, justification: "consent withdrawn"})
}
