package flare

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is what a user does within their agency; it decides what they may
// see and do there.
type Role string

// The roles of staff users.
const (
	// RoleAdmin manages the users of its agency and cannot read case contents.
	RoleAdmin Role = "admin"
	// RoleIntake works the queue of public reports.
	RoleIntake Role = "intake"
	// RoleInspector is a labour inspector.
	RoleInspector Role = "inspector"
	// RoleInvestigator is a police investigator.
	RoleInvestigator Role = "investigator"
	// RoleProsecutor is a prosecutor.
	RoleProsecutor Role = "prosecutor"
	// RoleCaseworker works for victim services.
	RoleCaseworker Role = "caseworker"
	// RoleImmigration records reflection periods and residence permits.
	RoleImmigration Role = "immigration"
	// RoleFundOfficer processes compensation claims.
	RoleFundOfficer Role = "fund_officer"
	// RoleSupervisor sees everything its agency may see, and its audit trail.
	RoleSupervisor Role = "supervisor"
	// RoleAnalyst sees de-identified aggregates only, never a named record.
	RoleAnalyst Role = "analyst"
)

// Roles returns every role in a stable order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleIntake, RoleInspector, RoleInvestigator, RoleProsecutor,
		RoleCaseworker, RoleImmigration, RoleFundOfficer, RoleSupervisor, RoleAnalyst}
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, v := range Roles() {
		if r == v {
			return true
		}
	}
	return false
}

// User is a member of staff of one agency.
type User struct {
	ID       string `json:"id"`
	AgencyID string `json:"agency_id"`
	Email    string `json:"email"`
	Roles    []Role `json:"roles"`
	// Enrolled is true once the user has set a password and a second factor.
	Enrolled bool `json:"enrolled"`
	// Disabled users cannot sign in and have no sessions.
	Disabled bool `json:"disabled"`
	// LockedAt is set when too many failed sign-ins locked the account; an
	// admin of the same agency lifts it.
	LockedAt  *time.Time `json:"locked_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

// HasRole reports whether the user holds role.
func (u *User) HasRole(role Role) bool {
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Actor returns the acting identity of the user.
func (u *User) Actor() Actor {
	roles := make([]string, len(u.Roles))
	for i, r := range u.Roles {
		roles[i] = string(r)
	}
	return Actor{UserID: u.ID, AgencyID: u.AgencyID, Roles: roles}
}

// Validate normalises and checks the user's fields.
func (u *User) Validate() error {
	u.Email = strings.ToLower(CleanLine(u.Email))
	addr, err := mail.ParseAddress(u.Email)
	if u.Email == "" {
		return FieldError("email", "is required")
	}
	if err != nil || addr.Address != u.Email || len(u.Email) > 254 {
		return FieldError("email", "%q is not an email address", u.Email)
	}
	if u.AgencyID == "" {
		return FieldError("agency_id", "is required")
	}
	if len(u.Roles) == 0 {
		return FieldError("roles", "at least one role is required")
	}
	seen := map[Role]bool{}
	for _, r := range u.Roles {
		if !r.Valid() {
			return FieldError("roles", "%q is not a role", r)
		}
		if seen[r] {
			return FieldError("roles", "%q is given twice", r)
		}
		seen[r] = true
	}
	return nil
}

// Session is a signed-in browser or API client.
type Session struct {
	// ID is the session's database key: the hash of the token the client
	// holds, never the token itself.
	ID     string
	UserID string
	// SecondFactor is true once the user passed TOTP; a session without it
	// can only finish signing in.
	SecondFactor bool
	CreatedAt    time.Time
	LastSeenAt   time.Time
	// ExpiresAt is the absolute end, whatever the activity.
	ExpiresAt time.Time
}

// UserService manages staff users.
type UserService interface {
	// CreateUser stores a new user who has not enrolled yet and returns
	// the one-time enrolment token to send them.
	CreateUser(ctx context.Context, u *User) (enrolToken string, err error)
	// User returns one user by id.
	User(ctx context.Context, id string) (*User, error)
	// UserByEmail returns one user by email address.
	UserByEmail(ctx context.Context, email string) (*User, error)
}

// SessionPolicy bounds sessions (security checklist R-AZ4).
type SessionPolicy struct {
	// IdleTimeout ends a session that saw no request for this long.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after sign-in, whatever
	// its activity.
	AbsoluteTimeout time.Duration
	// LockAfter locks an account after this many failed sign-ins in a row.
	LockAfter int
	// EnrolmentValidFor is how long an enrolment link works.
	EnrolmentValidFor time.Duration
}

// DefaultSessionPolicy returns the defaults: 30 minutes idle, 12
// hours absolute, lock after 10 failures, enrolment links valid 7 days.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 12 * time.Hour, LockAfter: 10, EnrolmentValidFor: 7 * 24 * time.Hour}
}

// Enrolment is what the enrolment page needs: who is enrolling, and the
// second-factor secret they must add to their authenticator app.
type Enrolment struct {
	User       *User
	TOTPSecret string
	TOTPURL    string
}

// AccountService signs staff in and out.
type AccountService interface {
	// Enrolment returns the pending enrolment for a token, creating its
	// TOTP secret on first use.
	Enrolment(ctx context.Context, token string) (*Enrolment, error)
	// CompleteEnrolment sets the password and confirms the second factor
	// with a current code; it returns the one-time recovery codes.
	CompleteEnrolment(ctx context.Context, token, password, code string) (recoveryCodes []string, err error)
	// SignIn checks email and password and returns a session token that
	// can only complete the second factor.
	SignIn(ctx context.Context, email, password string) (pendingToken string, err error)
	// CompleteSignIn checks a TOTP or recovery code for a pending session
	// and replaces it with a new, fully signed-in session token.
	CompleteSignIn(ctx context.Context, pendingToken, code string) (token string, err error)
	// Authenticate returns the user and session of a token, refreshing
	// its idle timer; expired, unknown or disabled ones are unauthorized.
	Authenticate(ctx context.Context, token string) (*User, *Session, error)
	// SignOut ends one session.
	SignOut(ctx context.Context, token string) error
	// SignOutEverywhere ends every session of a user.
	SignOutEverywhere(ctx context.Context, userID string) error
}
