package flare

import "context"

// Actor is who is acting: a signed-in user of an agency, or the operator at
// the server's console. Every service method reads it from the context and
// asks the policy package before it reads or writes a record.
type Actor struct {
	// UserID is empty for the console operator.
	UserID string
	// AgencyID is the agency the user acts for.
	AgencyID string
	// Roles are the user's roles within that agency.
	Roles []string
	// SessionID identifies the session record the user acts through (the
	// hash of the token, never the token), for the audit trail.
	SessionID string
	// Console is true for the operator running a flare command on the
	// server itself: whoever can run it can already read the database
	// file, so access rules would protect nothing there; the audit trail
	// still records it.
	Console bool
}

type actorKey struct{}

// WithActor returns a context that carries the acting user.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the acting user in ctx, and false when there is none.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
