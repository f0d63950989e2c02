package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
)

// auditEvent is what a service says about one action for the audit trail;
// who acted comes from the context.
type auditEvent struct {
	action        audit.Action
	outcome       audit.Outcome
	recordType    string
	recordID      string
	caseID        string
	fields        []string
	justification string
}

// entry builds the audit entry of ev for the actor in ctx.
func entry(ctx context.Context, ev auditEvent) audit.Entry {
	e := audit.Entry{Action: ev.action, Outcome: ev.outcome, RecordType: ev.recordType, RecordID: ev.recordID,
		CaseID: ev.caseID, Fields: ev.fields, Justification: ev.justification}
	if e.Outcome == "" {
		e.Outcome = audit.OutcomeOK
	}
	if actor, ok := flare.ActorFrom(ctx); ok {
		e.UserID, e.AgencyID, e.Console, e.SessionID = actor.UserID, actor.AgencyID, actor.Console, actor.SessionID
	}
	return e
}

// record appends ev to the audit log in tx, the transaction of the action
// it records (security checklist R-AU1).
func (db *DB) record(ctx context.Context, tx *sql.Tx, ev auditEvent) error {
	if _, err := db.AppendAudit(ctx, tx, entry(ctx, ev)); err != nil {
		return fmt.Errorf("audit %s of %s: %w", ev.action, ev.recordType, err)
	}
	return nil
}

// recordDenial writes the audit entry of a refused action in a
// transaction of its own, since the action's own transaction rolls back. It
// returns denial unchanged when it is a policy refusal, so callers can write
// "return db.recordDenial(...)".
func (db *DB) recordDenial(ctx context.Context, denial error, ev auditEvent) error {
	code := flare.ErrorCodeOf(denial)
	if code != flare.EFORBIDDEN && code != flare.ENOTFOUND {
		return denial
	}
	ev.outcome = audit.OutcomeDenied
	// A denial must be recorded even if the request was cancelled.
	ctx = context.WithoutCancel(ctx)
	if err := db.inTx(ctx, func(tx *sql.Tx) error { return db.record(ctx, tx, ev) }); err != nil {
		// Fail closed: a denial that cannot be recorded is an internal
		// error, not a quiet refusal.
		return fmt.Errorf("record denial: %w", err)
	}
	return denial
}
