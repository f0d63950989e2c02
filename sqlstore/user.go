package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/policy"
)

// UserService implements flare.UserService.
type UserService struct {
	db     *DB
	policy flare.SessionPolicy
}

// NewUserService returns the user service on db.
func NewUserService(db *DB, policy flare.SessionPolicy) *UserService {
	return &UserService{db: db, policy: policy}
}

var _ flare.UserService = (*UserService)(nil)

const userColumns = `id, agency_id, email, roles, password_hash IS NOT NULL AND enrol_token_hash IS NULL, disabled_at IS NOT NULL, locked_at, created_at`

// CreateUser implements flare.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *flare.User) (string, error) {
	if err := u.Validate(); err != nil {
		return "", err
	}
	if !validID(u.AgencyID) {
		return "", flare.FieldError("agency_id", "no such agency")
	}
	if err := authorizeUserAdmin(ctx, u.AgencyID); err != nil {
		return "", s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionCreate, recordType: "user"})
	}
	id, err := newID()
	if err != nil {
		return "", err
	}
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := s.db.now().UTC()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO users (id, agency_id, email, roles, enrol_token_hash, enrol_expires_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, u.AgencyID, u.Email, joinRoles(u.Roles), auth.HashToken(token), now.Add(s.policy.EnrolmentValidFor), now)
		switch s.db.dialect.constraint(err) {
		case uniqueViolation:
			return &flare.Error{Code: flare.ECONFLICT, Message: fmt.Sprintf("a user with email %s already exists", u.Email),
				Fields: map[string]string{"email": "already used"}}
		case foreignKeyViolation:
			return flare.FieldError("agency_id", "no such agency")
		}
		if err != nil {
			return fmt.Errorf("insert user: %w", s.db.dialect.translate(err))
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "user", recordID: id, fields: []string{"agency_id", "email", "roles"}})
	})
	if err != nil {
		return "", err
	}
	u.ID, u.CreatedAt = id, now
	return token, nil
}

// authorizeUserAdmin asks whether the actor may manage agencyID's users.
func authorizeUserAdmin(ctx context.Context, agencyID string) error {
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	rec := policy.Record{Type: "user", OwnerAgencyID: agencyID}
	return policy.Error(policy.DecideUserAdmin(actor, agencyID), rec)
}

// Users lists the users of an agency, for its admins.
func (s *UserService) Users(ctx context.Context, agencyID string) ([]*flare.User, error) {
	if !validID(agencyID) {
		return nil, flare.Errorf(flare.ENOTFOUND, "agency not found")
	}
	if err := authorizeUserAdmin(ctx, agencyID); err != nil {
		return nil, s.db.recordDenial(ctx, err, auditEvent{action: audit.ActionRead, recordType: "user"})
	}
	rows, err := s.db.sql.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE agency_id = $1 ORDER BY email`, agencyID)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []*flare.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User implements flare.UserService.
func (s *UserService) User(ctx context.Context, id string) (*flare.User, error) {
	if !validID(id) {
		return nil, flare.Errorf(flare.ENOTFOUND, "user not found")
	}
	return s.one(ctx, s.db.sql, `WHERE id = $1`, id)
}

// UserByEmail implements flare.UserService.
func (s *UserService) UserByEmail(ctx context.Context, email string) (*flare.User, error) {
	return s.one(ctx, s.db.sql, `WHERE email = $1`, strings.ToLower(flare.CleanLine(email)))
}

func (s *UserService) one(ctx context.Context, q querier, where string, args ...any) (*flare.User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, flare.Errorf(flare.ENOTFOUND, "user not found")
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	return u, nil
}

func scanUser(r scanner) (*flare.User, error) { return scanUserExtra(r) }

// Roles are stored as one comma-separated column: a user holds a handful,
// and they are always read together with the user.
func joinRoles(roles []flare.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func splitRoles(s string) []flare.Role {
	var roles []flare.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			roles = append(roles, flare.Role(r))
		}
	}
	return roles
}

// DisableUser disables a user and ends all their sessions at once, in one
// transaction (security checklist R-AZ4).
func (s *UserService) DisableUser(ctx context.Context, id string) error {
	if !validID(id) {
		return flare.Errorf(flare.ENOTFOUND, "user not found")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		u, err := s.one(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if err := authorizeUserAdmin(ctx, u.AgencyID); err != nil {
			return &denial{err: err, ev: auditEvent{action: audit.ActionUpdate, recordType: "user", recordID: id}}
		}
		if actor, _ := flare.ActorFrom(ctx); actor.UserID == id {
			// An agency must never lose its last admin by a slip.
			return flare.Errorf(flare.EINVALID, "you cannot disable your own account; ask another admin")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL`, s.db.now().UTC(), id); err != nil {
			return fmt.Errorf("disable user %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("end sessions of user %s: %w", id, err)
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "user", recordID: id, fields: []string{"disabled_at"}})
	})
	return s.db.auditDenied(ctx, err)
}

// UnlockUser lifts a lockout after failed sign-ins; only an admin of the
// user's agency may (security checklist R-AZ7).
func (s *UserService) UnlockUser(ctx context.Context, id string) error {
	if !validID(id) {
		return flare.Errorf(flare.ENOTFOUND, "user not found")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		u, err := s.one(ctx, tx, `WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if err := authorizeUserAdmin(ctx, u.AgencyID); err != nil {
			return &denial{err: err, ev: auditEvent{action: audit.ActionUpdate, recordType: "user", recordID: id}}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_at = NULL, failed_logins = 0 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("unlock user %s: %w", id, err)
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionUpdate, recordType: "user", recordID: id, fields: []string{"failed_logins", "locked_at"}})
	})
	return s.db.auditDenied(ctx, err)
}
