package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
)

const userSynopsis = "create --agency NAME --role ROLE[,ROLE] --email ADDRESS | unlock --email ADDRESS | disable --email ADDRESS [flags]"

// runUser manages staff users from the server's console. "create" prints a
// one-time enrolment link: the first admin of a fresh install is made this
// way, and later admins make their colleagues through the web.
func runUser(ctx context.Context, env *cliEnv, args []string) error {
	fs := newFlagSet("user", userSynopsis, env.stderr)
	var db dbFlags
	db.register(fs)
	agencyName := fs.String("agency", "", "`name` of the user's agency (create)")
	roles := fs.String("role", "", "comma-separated `roles` (create): "+roleList())
	email := fs.String("email", "", "the user's email `address`")
	baseURL := fs.String("base-url", "http://127.0.0.1:8080", "public `URL` of this server, for the enrolment link (env FLARE_BASE_URL)")
	envNames := envOf(dbEnv, map[string]string{"base-url": "FLARE_BASE_URL"})
	pos, err := parseFlagsInterleaved(fs, args, env.getenv, envNames)
	if err != nil {
		return err
	}
	// The operator at the console acts as such; the audit trail says so.
	ctx = flare.WithActor(ctx, flare.Actor{Console: true})
	if len(pos) != 1 {
		return flare.Errorf(flare.EINVALID, "usage: flare user %s", userSynopsis)
	}
	if strings.TrimSpace(*email) == "" {
		return usageError("email", "is required")
	}
	store, err := db.open(ctx, false)
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Migrate(ctx, nil); err != nil {
		return err
	}
	users := sqlstore.NewUserService(store, flare.DefaultSessionPolicy())
	switch pos[0] {
	case "create":
		return createUser(ctx, env, store, users, *agencyName, *roles, *email, *baseURL)
	case "unlock", "disable":
		u, err := users.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		if pos[0] == "unlock" {
			err = users.UnlockUser(ctx, u.ID)
		} else {
			err = users.DisableUser(ctx, u.ID)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.stdout, "%sed %s\n", strings.TrimSuffix(pos[0], "e"), u.Email)
		return nil
	}
	return flare.Errorf(flare.EINVALID, "unknown action %q; usage: flare user %s", pos[0], userSynopsis)
}

func createUser(ctx context.Context, env *cliEnv, store *sqlstore.DB, users *sqlstore.UserService, agencyName, roles, email, baseURL string) error {
	if strings.TrimSpace(agencyName) == "" {
		return usageError("agency", "is required")
	}
	if strings.TrimSpace(roles) == "" {
		return usageError("role", "is required: one or more of %s", roleList())
	}
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageError("base-url", "%q is not an http(s) URL", baseURL)
	}
	agency, err := sqlstore.NewAgencyService(store).AgencyByName(ctx, agencyName)
	if err != nil {
		return usageError("agency", "no agency named %q (see flare agency list)", agencyName)
	}
	u := &flare.User{AgencyID: agency.ID, Email: email}
	for _, r := range strings.Split(roles, ",") {
		u.Roles = append(u.Roles, flare.Role(strings.TrimSpace(r)))
	}
	token, err := users.CreateUser(ctx, u)
	if err != nil {
		return err
	}
	link := base.JoinPath("/enrol/" + token)
	fmt.Fprintf(env.stdout, "created %s (%s) in %s\n", u.Email, roles, agency.Name)
	fmt.Fprintf(env.stdout, "one-time enrolment link, valid %s; give it to the user by a safe channel:\n%s\n",
		flare.DefaultSessionPolicy().EnrolmentValidFor, link)
	return nil
}

func roleList() string {
	var s []string
	for _, r := range flare.Roles() {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}
