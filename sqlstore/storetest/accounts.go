package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/auth"
	"github.com/flare-ilo/flare/sqlstore"
)

// FastParams keep argon2id cheap in tests; the parameters are stored in each
// hash, so nothing else depends on them.
var FastParams = auth.Params{MemoryKiB: 64, Time: 1, Threads: 1}

// Clock is a fake clock tests move by hand; give its Now to
// sqlstore.DB.SetClock so TOTP codes and timeouts are deterministic.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// accountFixture is a database with one agency, a fake clock and the
// account services.
type accountFixture struct {
	db       *sqlstore.DB
	clock    *Clock
	agency   *flare.Agency
	users    *sqlstore.UserService
	accounts *sqlstore.AccountService
}

func newAccountFixture(t *testing.T, dbURL string) *accountFixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	c := NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	db.SetClock(c.Now)
	policy := flare.DefaultSessionPolicy()
	accounts, err := sqlstore.NewAccountService(db, Keys(t, db), policy, FastParams, "Flare test")
	if err != nil {
		t.Fatal(err)
	}
	return &accountFixture{db: db, clock: c, agency: mustAgency(t, db, "Inspectorate "+t.Name(), flare.AgencyLabourInspectorate),
		users: sqlstore.NewUserService(db, policy), accounts: accounts}
}

const goodPassword = "river otter pay slip"

// enrol creates and enrols a user, returning the user, its TOTP secret and
// its recovery codes.
func (f *accountFixture) enrol(t *testing.T, email string, roles ...flare.Role) (*flare.User, string, []string) {
	t.Helper()
	ctx := context.Background()
	u := &flare.User{AgencyID: f.agency.ID, Email: email, Roles: roles}
	token, err := f.users.CreateUser(console(), u)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	e, err := f.accounts.Enrolment(ctx, token)
	if err != nil {
		t.Fatalf("enrolment: %v", err)
	}
	code, _ := auth.TOTPCode(e.TOTPSecret, f.clock.Now())
	codes, err := f.accounts.CompleteEnrolment(ctx, token, goodPassword, code)
	if err != nil {
		t.Fatalf("complete enrolment: %v", err)
	}
	// The enrolment code's step is used; move on to a fresh one.
	f.clock.Add(30 * time.Second)
	return u, e.TOTPSecret, codes
}

// signIn signs in with password and a fresh TOTP code.
func (f *accountFixture) signIn(t *testing.T, email, secret string) string {
	t.Helper()
	ctx := context.Background()
	pending, err := f.accounts.SignIn(ctx, email, goodPassword)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	token, err := f.accounts.CompleteSignIn(ctx, pending, code)
	if err != nil {
		t.Fatalf("second factor: %v", err)
	}
	f.clock.Add(30 * time.Second)
	return token
}

// RunAccounts is the conformance suite of users, enrolment, sign-in and
// sessions (security checklist R-AZ3, R-AZ4, R-AZ7).
func RunAccounts(t *testing.T, dbURL string) {
	t.Run("CreateUser", func(t *testing.T) { testCreateUser(t, newAccountFixture(t, dbURL)) })
	t.Run("Enrolment", func(t *testing.T) { testEnrolment(t, newAccountFixture(t, dbURL)) })
	t.Run("SignIn", func(t *testing.T) { testSignIn(t, newAccountFixture(t, dbURL)) })
	t.Run("TOTPReplay", func(t *testing.T) { testTOTPReplay(t, newAccountFixture(t, dbURL)) })
	t.Run("RecoveryCodes", func(t *testing.T) { testRecoveryCodes(t, newAccountFixture(t, dbURL)) })
	t.Run("Lockout", func(t *testing.T) { testLockout(t, newAccountFixture(t, dbURL)) })
	t.Run("Timeouts", func(t *testing.T) { testTimeouts(t, newAccountFixture(t, dbURL)) })
	t.Run("DisableEndsSessions", func(t *testing.T) { testDisable(t, newAccountFixture(t, dbURL)) })
	t.Run("UserAdminRights", func(t *testing.T) { testUserAdminRights(t, newAccountFixture(t, dbURL)) })
	t.Run("SignInAudited", func(t *testing.T) { testSignInAudited(t, dbURL) })
}

func testCreateUser(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u := &flare.User{AgencyID: f.agency.ID, Email: " Amina.Yusuf@Labour.Example ", Roles: []flare.Role{flare.RoleInspector}}
	token, err := f.users.CreateUser(console(), u)
	if err != nil || len(token) < 43 {
		t.Fatalf("create = %q, %v", token, err)
	}
	got, err := f.users.UserByEmail(ctx, "amina.yusuf@labour.example")
	if err != nil || got.ID != u.ID || got.Enrolled || got.Roles[0] != flare.RoleInspector {
		t.Fatalf("by email = %+v, %v", got, err)
	}
	_, err = f.users.CreateUser(console(), &flare.User{AgencyID: f.agency.ID, Email: "amina.yusuf@labour.example", Roles: []flare.Role{flare.RoleAdmin}})
	wantCode(t, err, flare.ECONFLICT)
	for _, bad := range []*flare.User{
		{AgencyID: f.agency.ID, Email: "not an email", Roles: []flare.Role{flare.RoleAdmin}},
		{AgencyID: f.agency.ID, Email: "Name <a@b.example>", Roles: []flare.Role{flare.RoleAdmin}},
		{AgencyID: f.agency.ID, Email: "x@y.example"},
		{AgencyID: f.agency.ID, Email: "x@y.example", Roles: []flare.Role{"god"}},
		{AgencyID: f.agency.ID, Email: "x@y.example", Roles: []flare.Role{flare.RoleAdmin, flare.RoleAdmin}},
		{AgencyID: "00000000-0000-7000-8000-000000000009", Email: "x@y.example", Roles: []flare.Role{flare.RoleAdmin}},
	} {
		_, err := f.users.CreateUser(console(), bad)
		wantCode(t, err, flare.EINVALID)
	}
	// Only the token's hash is stored.
	if n := rowsContaining(t, f.db, "users", token); n != 0 {
		t.Errorf("enrolment token found in plain text in %d rows", n)
	}
}

func testEnrolment(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u := &flare.User{AgencyID: f.agency.ID, Email: "enrol@labour.example", Roles: []flare.Role{flare.RoleCaseworker}}
	token, err := f.users.CreateUser(console(), u)
	if err != nil {
		t.Fatal(err)
	}
	e1, err := f.accounts.Enrolment(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	e2, _ := f.accounts.Enrolment(ctx, token)
	if e1.TOTPSecret == "" || e1.TOTPSecret != e2.TOTPSecret || !strings.HasPrefix(e1.TOTPURL, "otpauth://totp/") {
		t.Fatalf("enrolment secret unstable or missing: %+v %+v", e1, e2)
	}
	// The secret would let a database thief pass the second factor: it is
	// sealed under the user's data key (R-CR1).
	if n := rowsContaining(t, f.db, "users", e1.TOTPSecret); n != 0 {
		t.Error("TOTP secret stored in plain text")
	}
	code, _ := auth.TOTPCode(e1.TOTPSecret, f.clock.Now())
	_, err = f.accounts.CompleteEnrolment(ctx, token, "password12345", code)
	wantCode(t, err, flare.EINVALID)
	_, err = f.accounts.CompleteEnrolment(ctx, token, goodPassword, "000000")
	wantCode(t, err, flare.EINVALID)
	codes, err := f.accounts.CompleteEnrolment(ctx, token, goodPassword, code)
	if err != nil || len(codes) != 10 {
		t.Fatalf("complete = %d codes, %v", len(codes), err)
	}
	got, _ := f.users.User(ctx, u.ID)
	if !got.Enrolled {
		t.Error("user not enrolled after completing")
	}
	_, err = f.accounts.Enrolment(ctx, token)
	wantCode(t, err, flare.ENOTFOUND)
	if n := rowsContaining(t, f.db, "recovery_codes", codes[0]); n != 0 {
		t.Error("recovery code stored in plain text")
	}
	// An enrolment link expires.
	late := &flare.User{AgencyID: f.agency.ID, Email: "late@labour.example", Roles: []flare.Role{flare.RoleCaseworker}}
	lateToken, _ := f.users.CreateUser(console(), late)
	f.clock.Add(flare.DefaultSessionPolicy().EnrolmentValidFor + time.Second)
	_, err = f.accounts.Enrolment(ctx, lateToken)
	wantCode(t, err, flare.ENOTFOUND)
}

func testSignIn(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u, secret, _ := f.enrol(t, "sign.in@labour.example", flare.RoleInspector)
	_, err := f.accounts.SignIn(ctx, "sign.in@labour.example", "wrong password here")
	wantCode(t, err, flare.EUNAUTHORIZED)
	msgWrongPassword := flare.ErrorMessageOf(err)
	_, err = f.accounts.SignIn(ctx, "nobody@labour.example", goodPassword)
	wantCode(t, err, flare.EUNAUTHORIZED)
	if flare.ErrorMessageOf(err) != msgWrongPassword {
		t.Errorf("unknown email and wrong password answer differently: %q vs %q", flare.ErrorMessageOf(err), msgWrongPassword)
	}
	pending, err := f.accounts.SignIn(ctx, "SIGN.IN@labour.example", goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, sess, err := f.accounts.Authenticate(ctx, pending)
	if err != nil || sess.SecondFactor {
		t.Fatalf("pending session = %+v, %v; want one without the second factor", sess, err)
	}
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	token, err := f.accounts.CompleteSignIn(ctx, pending, code)
	if err != nil {
		t.Fatal(err)
	}
	if token == pending {
		t.Fatal("session id not rotated at sign-in")
	}
	_, _, err = f.accounts.Authenticate(ctx, pending)
	wantCode(t, err, flare.EUNAUTHORIZED)
	gotUser, sess, err := f.accounts.Authenticate(ctx, token)
	if err != nil || !sess.SecondFactor || gotUser.ID != u.ID {
		t.Fatalf("session = %+v %+v, %v", gotUser, sess, err)
	}
	if n := rowsContaining(t, f.db, "sessions", token); n != 0 {
		t.Error("session token stored in plain text")
	}
	if err := f.accounts.SignOut(ctx, token); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.accounts.Authenticate(ctx, token)
	wantCode(t, err, flare.EUNAUTHORIZED)
	_, _, err = f.accounts.Authenticate(ctx, "")
	wantCode(t, err, flare.EUNAUTHORIZED)
}

// testTOTPReplay: a code accepted once is refused for the rest of its
// window, even for a new sign-in (security checklist R-AZ3).
func testTOTPReplay(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	_, secret, _ := f.enrol(t, "replay@labour.example", flare.RoleInvestigator)
	code, _ := auth.TOTPCode(secret, f.clock.Now())
	p1, _ := f.accounts.SignIn(ctx, "replay@labour.example", goodPassword)
	if _, err := f.accounts.CompleteSignIn(ctx, p1, code); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(5 * time.Second)
	p2, _ := f.accounts.SignIn(ctx, "replay@labour.example", goodPassword)
	_, err := f.accounts.CompleteSignIn(ctx, p2, code)
	wantCode(t, err, flare.EUNAUTHORIZED)
	// Two sign-ins racing with one fresh code: exactly one wins.
	f.clock.Add(60 * time.Second)
	fresh, _ := auth.TOTPCode(secret, f.clock.Now())
	pa, _ := f.accounts.SignIn(ctx, "replay@labour.example", goodPassword)
	pb, _ := f.accounts.SignIn(ctx, "replay@labour.example", goodPassword)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []string{pa, pb} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = f.accounts.CompleteSignIn(ctx, p, fresh) }()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("racing sign-ins with one code: %v, %v; want exactly one success", errs[0], errs[1])
	}
}

func testRecoveryCodes(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	_, _, codes := f.enrol(t, "recover@labour.example", flare.RoleProsecutor)
	p, _ := f.accounts.SignIn(ctx, "recover@labour.example", goodPassword)
	if _, err := f.accounts.CompleteSignIn(ctx, p, strings.ToLower(codes[3])); err != nil {
		t.Fatalf("recovery code refused: %v", err)
	}
	p, _ = f.accounts.SignIn(ctx, "recover@labour.example", goodPassword)
	_, err := f.accounts.CompleteSignIn(ctx, p, codes[3])
	wantCode(t, err, flare.EUNAUTHORIZED)
}

// testLockout: the LockAfter-th failure locks the account; even the right
// password is then refused until an admin unlocks it (R-AZ7).
func testLockout(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u, secret, _ := f.enrol(t, "lock@labour.example", flare.RoleInspector)
	for i := 0; i < flare.DefaultSessionPolicy().LockAfter; i++ {
		_, err := f.accounts.SignIn(ctx, "lock@labour.example", "not the password")
		wantCode(t, err, flare.EUNAUTHORIZED)
	}
	_, err := f.accounts.SignIn(ctx, "lock@labour.example", goodPassword)
	wantCode(t, err, flare.EFORBIDDEN)
	if err := f.users.UnlockUser(console(), u.ID); err != nil {
		t.Fatal(err)
	}
	f.signIn(t, "lock@labour.example", secret)
	// Wrong second-factor codes count too.
	for i := 0; i < flare.DefaultSessionPolicy().LockAfter; i++ {
		p, err := f.accounts.SignIn(ctx, "lock@labour.example", goodPassword)
		if err != nil {
			wantCode(t, err, flare.EFORBIDDEN)
			break
		}
		_, err = f.accounts.CompleteSignIn(ctx, p, "000000")
		wantCode(t, err, flare.EUNAUTHORIZED)
	}
	got, _ := f.users.User(ctx, u.ID)
	if got.LockedAt == nil {
		t.Fatal("wrong TOTP codes did not lock the account")
	}
}

// testTimeouts: 30 minutes idle or 12 hours in all end a session (R-AZ4).
func testTimeouts(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	_, secret, _ := f.enrol(t, "idle@labour.example", flare.RoleInspector)
	idle := f.signIn(t, "idle@labour.example", secret)
	f.clock.Add(29 * time.Minute)
	if _, _, err := f.accounts.Authenticate(ctx, idle); err != nil {
		t.Fatalf("session ended before the idle timeout: %v", err)
	}
	f.clock.Add(30*time.Minute + time.Second)
	_, _, err := f.accounts.Authenticate(ctx, idle)
	wantCode(t, err, flare.EUNAUTHORIZED)

	busy := f.signIn(t, "idle@labour.example", secret)
	start := f.clock.Now()
	for f.clock.Now().Sub(start) < 12*time.Hour-25*time.Minute {
		f.clock.Add(20 * time.Minute)
		if _, _, err := f.accounts.Authenticate(ctx, busy); err != nil {
			t.Fatalf("active session ended after %v: %v", f.clock.Now().Sub(start), err)
		}
	}
	f.clock.Add(25 * time.Minute)
	_, _, err = f.accounts.Authenticate(ctx, busy)
	wantCode(t, err, flare.EUNAUTHORIZED)
}

// testUserAdminRights: only an admin of the same agency manages its users.
func testUserAdminRights(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u, _, _ := f.enrol(t, "managed@labour.example", flare.RoleInspector)
	other := mustAgency(t, f.db, "Other "+t.Name(), flare.AgencyPolice)
	tests := []struct {
		name string
		ctx  context.Context
		want flare.ErrorCode
	}{
		{"no actor", ctx, flare.EUNAUTHORIZED},
		{"inspector of the agency", actorOf(f.agency, flare.RoleInspector), flare.EFORBIDDEN},
		{"supervisor of the agency", actorOf(f.agency, flare.RoleSupervisor), flare.EFORBIDDEN},
		{"admin of another agency", actorOf(other, flare.RoleAdmin), flare.ENOTFOUND},
		{"admin of the agency", actorOf(f.agency, flare.RoleAdmin), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, f.users.UnlockUser(tt.ctx, u.ID), tt.want)
			_, err := f.users.CreateUser(tt.ctx, &flare.User{AgencyID: f.agency.ID, Email: "new." + strings.ReplaceAll(tt.name, " ", "-") + "@labour.example", Roles: []flare.Role{flare.RoleCaseworker}})
			wantCode(t, err, tt.want)
			_, err = f.users.Users(tt.ctx, f.agency.ID)
			wantCode(t, err, tt.want)
		})
	}
}

func testDisable(t *testing.T, f *accountFixture) {
	ctx := context.Background()
	u, secret, _ := f.enrol(t, "leaver@labour.example", flare.RoleInspector)
	s1 := f.signIn(t, "leaver@labour.example", secret)
	s2 := f.signIn(t, "leaver@labour.example", secret)
	if err := f.users.DisableUser(console(), u.ID); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{s1, s2} {
		_, _, err := f.accounts.Authenticate(ctx, s)
		wantCode(t, err, flare.EUNAUTHORIZED)
	}
	_, err := f.accounts.SignIn(ctx, "leaver@labour.example", goodPassword)
	wantCode(t, err, flare.EFORBIDDEN)
	admin, _, _ := f.enrol(t, "admin.self@labour.example", flare.RoleAdmin)
	self := flare.WithActor(ctx, admin.Actor())
	wantCode(t, f.users.DisableUser(self, admin.ID), flare.EINVALID)
}

// rowsContaining counts the rows of table whose text contains needle.
func rowsContaining(t *testing.T, db *sqlstore.DB, table, needle string) int {
	t.Helper()
	n, err := db.CountRowsContaining(context.Background(), table, needle)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
