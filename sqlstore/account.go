package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/vault"
)

// AccountService implements flare.AccountService: enrolment, sign-in with
// a second factor, and database-backed sessions that any instance can serve.
type AccountService struct {
	db        *DB
	keys      *KeyStore
	policy    flare.SessionPolicy
	passwords *auth.PasswordPolicy
	params    auth.Params
	issuer    string
	// dummyHash is verified against when an email is unknown, so that
	// sign-in takes as long for a wrong email as for a wrong password and
	// does not tell which accounts exist.
	dummyHash string
}

// NewAccountService returns the account service on db. issuer is the name
// authenticator apps show for this installation; keys seal each user's
// TOTP secret, which would let a database thief pass the second factor.
func NewAccountService(db *DB, keys *KeyStore, policy flare.SessionPolicy, params auth.Params, issuer string) (*AccountService, error) {
	if keys == nil {
		return nil, errors.New("account service: a key store is required to seal TOTP secrets")
	}
	dummy, err := auth.HashPassword("dummy password for timing", params)
	if err != nil {
		return nil, err
	}
	return &AccountService{db: db, keys: keys, policy: policy, passwords: auth.NewPasswordPolicy(), params: params, issuer: issuer, dummyHash: dummy}, nil
}

var _ flare.AccountService = (*AccountService)(nil)

// errSignIn is the one answer to a wrong email or password.
var errSignIn = flare.Errorf(flare.EUNAUTHORIZED, "the email address or password is not right")

// errEnrolment is the one answer to an unknown, used or expired link.
var errEnrolment = flare.Errorf(flare.ENOTFOUND, "this enrolment link is not valid: it may have been used or have expired; ask your agency's administrator for a new one")

// Enrolment implements flare.AccountService.
func (s *AccountService) Enrolment(ctx context.Context, token string) (*flare.Enrolment, error) {
	var out *flare.Enrolment
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		u, secret, err := s.pendingEnrolment(ctx, tx, token)
		if err != nil {
			return err
		}
		if secret == "" {
			key, err := auth.NewTOTPKey(s.issuer, u.Email)
			if err != nil {
				return err
			}
			secret = key.Secret
			if err := s.storeSecret(ctx, tx, u.ID, secret); err != nil {
				return err
			}
		}
		out = &flare.Enrolment{User: u, TOTPSecret: secret, TOTPURL: auth.TOTPURL(s.issuer, u.Email, secret)}
		return nil
	})
	return out, err
}

// pendingEnrolment finds the user an enrolment token belongs to, if it is
// still valid.
func (s *AccountService) pendingEnrolment(ctx context.Context, tx *sql.Tx, token string) (*flare.User, string, error) {
	if token == "" || len(token) > 100 {
		return nil, "", errEnrolment
	}
	var expires sql.NullTime
	var sealed sql.NullString
	row := tx.QueryRowContext(ctx, `SELECT `+userColumns+`, enrol_expires_at, totp_secret FROM users WHERE enrol_token_hash = $1`, auth.HashToken(token))
	u, err := scanUserExtra(row, &expires, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", errEnrolment
	}
	if err != nil {
		return nil, "", fmt.Errorf("load enrolment: %w", err)
	}
	if u.Disabled || !expires.Valid || !s.db.now().Before(expires.Time) {
		return nil, "", errEnrolment
	}
	if !sealed.Valid {
		return u, "", nil
	}
	secret, err := s.openSecret(ctx, tx, u.ID, sealed.String)
	return u, secret, err
}

// secretLocation binds a sealed TOTP secret to its user's row and column.
func secretLocation(userID string) vault.Location {
	return vault.Location{Table: "users", Column: "totp_secret", RowID: userID}
}

// storeSecret seals a TOTP secret under the user's own data key (created
// on first use) and stores it.
func (s *AccountService) storeSecret(ctx context.Context, tx *sql.Tx, userID, secret string) error {
	key, err := s.keys.DataKey(ctx, tx, "user", userID)
	if flare.ErrorCodeOf(err) == flare.ENOTFOUND && !errors.Is(err, ErrDataKeyDestroyed) {
		key, err = s.keys.CreateDataKey(ctx, tx, "user", userID)
	}
	if err != nil {
		return fmt.Errorf("data key of user %s: %w", userID, err)
	}
	sealed, err := key.SealString(secretLocation(userID), secret)
	if err != nil {
		return fmt.Errorf("seal TOTP secret of user %s: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, base64.StdEncoding.EncodeToString(sealed), userID); err != nil {
		return fmt.Errorf("store TOTP secret of user %s: %w", userID, err)
	}
	return nil
}

// openSecret decrypts a stored TOTP secret; any tampering is an error, never
// a wrong secret.
func (s *AccountService) openSecret(ctx context.Context, tx *sql.Tx, userID, stored string) (string, error) {
	sealed, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return "", fmt.Errorf("TOTP secret of user %s: not a sealed value", userID)
	}
	key, err := s.keys.DataKey(ctx, tx, "user", userID)
	if err != nil {
		return "", fmt.Errorf("data key of user %s: %w", userID, err)
	}
	secret, err := key.OpenString(secretLocation(userID), sealed)
	if err != nil {
		return "", fmt.Errorf("open TOTP secret of user %s: %w", userID, err)
	}
	return secret, nil
}

// CompleteEnrolment implements flare.AccountService.
func (s *AccountService) CompleteEnrolment(ctx context.Context, token, password, code string) ([]string, error) {
	var codes []string
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		u, secret, err := s.pendingEnrolment(ctx, tx, token)
		if err != nil {
			return err
		}
		if err := s.passwords.Check(password, u.Email); err != nil {
			return &flare.Error{Code: flare.EINVALID, Message: "choose a longer or less common password", Fields: map[string]string{"password": err.Error()}}
		}
		step, ok := auth.VerifyTOTP(secret, code, s.db.now(), 0)
		if secret == "" || !ok {
			return &flare.Error{Code: flare.EINVALID, Message: "the code from the authenticator app is not right", Fields: map[string]string{"code": "auth.code.wrong"}}
		}
		hash, err := auth.HashPassword(password, s.params)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, totp_last_step = $2, enrol_token_hash = NULL, enrol_expires_at = NULL WHERE id = $3`,
			hash, step, u.ID); err != nil {
			return fmt.Errorf("complete enrolment of user %s: %w", u.ID, err)
		}
		codes, err = auth.NewRecoveryCodes(10)
		if err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, u.ID, auth.HashRecoveryCode(c)); err != nil {
				return fmt.Errorf("store recovery code: %w", err)
			}
		}
		return nil
	})
	return codes, err
}

// SignIn implements flare.AccountService.
func (s *AccountService) SignIn(ctx context.Context, email, password string) (string, error) {
	var hash sql.NullString
	var failed int
	row := s.db.sql.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash, failed_logins FROM users WHERE email = $1`, normaliseEmail(email))
	u, err := scanUserExtra(row, &hash, &failed)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !hash.Valid) {
		auth.VerifyPassword(s.dummyHash, password)
		// No user to name: the entry says only that a sign-in failed.
		if err := s.db.inTx(ctx, func(tx *sql.Tx) error {
			return s.db.record(ctx, tx, auditEvent{action: audit.ActionSignIn, outcome: audit.OutcomeFailed, recordType: "user"})
		}); err != nil {
			return "", err
		}
		return "", errSignIn
	}
	if err != nil {
		return "", fmt.Errorf("load user for sign-in: %w", err)
	}
	ok, err := auth.VerifyPassword(hash.String, password)
	if err != nil {
		return "", fmt.Errorf("verify password of user %s: %w", u.ID, err)
	}
	if !ok {
		if err := s.recordFailure(ctx, u.ID); err != nil {
			return "", err
		}
		return "", errSignIn
	}
	// Only someone who knows the password learns that the account is
	// locked or disabled.
	as := flare.WithActor(ctx, u.Actor())
	if u.Disabled {
		return "", s.db.recordDenial(as, flare.Errorf(flare.EFORBIDDEN, "this account is disabled"),
			auditEvent{action: audit.ActionSignIn, recordType: "user", recordID: u.ID})
	}
	if u.LockedAt != nil {
		return "", s.db.recordDenial(as, flare.Errorf(flare.EFORBIDDEN, "this account is locked after too many failed sign-ins; ask your agency's administrator to unlock it"),
			auditEvent{action: audit.ActionSignIn, recordType: "user", recordID: u.ID})
	}
	return s.newSession(ctx, s.db.sql, u.ID, false)
}

// recordFailure counts a failed sign-in, locks the account at the
// threshold, and writes the audit entry, in one transaction.
func (s *AccountService) recordFailure(ctx context.Context, userID string) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = failed_logins + 1,
			locked_at = CASE WHEN failed_logins + 1 >= $1 AND locked_at IS NULL THEN $2 ELSE locked_at END
			WHERE id = $3`, s.policy.LockAfter, s.db.now().UTC(), userID)
		if err != nil {
			return fmt.Errorf("record failed sign-in of user %s: %w", userID, err)
		}
		ctx := flare.WithActor(ctx, flare.Actor{UserID: userID})
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionSignIn, outcome: audit.OutcomeFailed, recordType: "user", recordID: userID})
	})
}

// execer is a *sql.DB or *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func (s *AccountService) newSession(ctx context.Context, ex execer, userID string, secondFactor bool) (string, error) {
	token, err := auth.NewToken()
	if err != nil {
		return "", err
	}
	now := s.db.now().UTC()
	_, err = ex.ExecContext(ctx, `INSERT INTO sessions (id, user_id, second_factor, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, auth.HashToken(token), userID, secondFactor, now, now, now.Add(s.policy.AbsoluteTimeout))
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// errWrongCode is the answer to a wrong second-factor code.
var errWrongCode = &flare.Error{Code: flare.EUNAUTHORIZED, Message: "the code is not right", Fields: map[string]string{"code": "auth.code.wrong"}}

// CompleteSignIn implements flare.AccountService. The pending session is
// deleted and a new token issued, so a session id known before sign-in is
// worthless after it (session fixation; R-AZ4). A wrong code counts as a
// failed sign-in towards the lockout.
func (s *AccountService) CompleteSignIn(ctx context.Context, pendingToken, code string) (string, error) {
	var token, userID string
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		u, sess, err := s.session(ctx, tx, pendingToken)
		if err != nil {
			return err
		}
		userID = u.ID
		if sess.SecondFactor {
			return flare.Errorf(flare.EINVALID, "already signed in")
		}
		if u.LockedAt != nil {
			return flare.Errorf(flare.EFORBIDDEN, "this account is locked after too many failed sign-ins; ask your agency's administrator to unlock it")
		}
		if err := s.checkSecondFactor(ctx, tx, u.ID, code); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, sess.ID); err != nil {
			return fmt.Errorf("end pending session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0 WHERE id = $1`, u.ID); err != nil {
			return fmt.Errorf("reset failed sign-ins: %w", err)
		}
		if token, err = s.newSession(ctx, tx, u.ID, true); err != nil {
			return err
		}
		actor := u.Actor()
		actor.SessionID = auth.HashToken(token)
		return s.db.record(flare.WithActor(ctx, actor), tx, auditEvent{action: audit.ActionSignIn, recordType: "session", recordID: actor.SessionID})
	})
	if errors.Is(err, errWrongCode) {
		// Counted after the transaction rolled back, on its own write.
		if ferr := s.recordFailure(ctx, userID); ferr != nil {
			return "", ferr
		}
	}
	return token, err
}

// checkSecondFactor accepts a TOTP code once (the step is moved forward in
// the same UPDATE that checks it, so two requests with one code cannot both
// pass) or an unused recovery code.
func (s *AccountService) checkSecondFactor(ctx context.Context, tx *sql.Tx, userID, code string) error {
	var sealed sql.NullString
	var lastStep int64
	if err := tx.QueryRowContext(ctx, `SELECT totp_secret, totp_last_step FROM users WHERE id = $1`, userID).Scan(&sealed, &lastStep); err != nil {
		return fmt.Errorf("load second factor of user %s: %w", userID, err)
	}
	secret := ""
	if sealed.Valid {
		var err error
		if secret, err = s.openSecret(ctx, tx, userID, sealed.String); err != nil {
			return err
		}
	}
	if step, ok := auth.VerifyTOTP(secret, code, s.db.now(), lastStep); ok && secret != "" {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
		if err != nil {
			return fmt.Errorf("record TOTP step: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		return errWrongCode
	}
	if len(code) < 16 || len(code) > 40 {
		return errWrongCode
	}
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		s.db.now().UTC(), userID, auth.HashRecoveryCode(code))
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	return errWrongCode
}

// Authenticate implements flare.AccountService.
func (s *AccountService) Authenticate(ctx context.Context, token string) (*flare.User, *flare.Session, error) {
	var u *flare.User
	var sess *flare.Session
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, sess, err = s.session(ctx, tx, token)
		if err != nil {
			return err
		}
		now := s.db.now().UTC()
		// Write the idle timer at most once a minute: a page with many
		// requests should not write the database for each.
		if now.Sub(sess.LastSeenAt) > time.Minute {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, now, sess.ID); err != nil {
				return fmt.Errorf("touch session: %w", err)
			}
			sess.LastSeenAt = now
		}
		return nil
	})
	return u, sess, err
}

// session loads a live session and its user; anything else is
// unauthorized, and an expired session is deleted.
func (s *AccountService) session(ctx context.Context, tx *sql.Tx, token string) (*flare.User, *flare.Session, error) {
	unauth := flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	if token == "" || len(token) > 100 {
		return nil, nil, unauth
	}
	var sess flare.Session
	err := tx.QueryRowContext(ctx, `SELECT id, user_id, second_factor, created_at, last_seen_at, expires_at FROM sessions WHERE id = $1`,
		auth.HashToken(token)).Scan(&sess.ID, &sess.UserID, &sess.SecondFactor, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, unauth
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load session: %w", err)
	}
	now := s.db.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.policy.IdleTimeout {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, sess.ID); err != nil {
			return nil, nil, fmt.Errorf("delete expired session: %w", err)
		}
		return nil, nil, flare.Errorf(flare.EUNAUTHORIZED, "your session has ended; sign in again")
	}
	users := &UserService{db: s.db}
	u, err := users.one(ctx, tx, `WHERE id = $1`, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, unauth
	}
	return u, &sess, nil
}

// SignOut implements flare.AccountService.
func (s *AccountService) SignOut(ctx context.Context, token string) error {
	id := auth.HashToken(token)
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE id = $1 RETURNING user_id`, id).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("sign out: %w", err)
		}
		ctx := ctx
		if _, ok := flare.ActorFrom(ctx); !ok {
			ctx = flare.WithActor(ctx, flare.Actor{UserID: userID, SessionID: id})
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionSignOut, recordType: "session", recordID: id})
	})
}

// SignOutEverywhere implements flare.AccountService. It ends every
// session of the user, the current one included, and records it.
func (s *AccountService) SignOutEverywhere(ctx context.Context, userID string) error {
	if !validID(userID) {
		return flare.Errorf(flare.ENOTFOUND, "user not found")
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("sign out everywhere: %w", err)
		}
		return s.db.record(ctx, tx, auditEvent{action: audit.ActionSignOut, recordType: "user", recordID: userID, fields: []string{"sessions"}})
	})
}

func scanUserExtra(r scanner, extra ...any) (*flare.User, error) {
	var u flare.User
	var roles string
	var locked sql.NullTime
	dest := append([]any{&u.ID, &u.AgencyID, &u.Email, &roles, &u.Enrolled, &u.Disabled, &locked, &u.CreatedAt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	u.Roles = splitRoles(roles)
	if locked.Valid {
		t := locked.Time.UTC()
		u.LockedAt = &t
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

func normaliseEmail(email string) string {
	return strings.ToLower(flare.CleanLine(email))
}
