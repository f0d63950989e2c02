package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/policy"
	"github.com/flare-ilo/flare/vault"
)

// NoteService implements flare.NoteService. A note's text is testimony: it
// is sealed under the note's own data key (owner type "note"), created in
// the note's transaction. One key per note rather than per case: a note
// can then be erased alone (a court order, a withdrawn statement) by
// destroying its key, and two notes written at once never race to create a
// shared case key.
type NoteService struct {
	db   *DB
	keys *KeyStore
}

// NewNoteService returns the note service on db, sealing with keys.
func NewNoteService(db *DB, keys *KeyStore) *NoteService { return &NoteService{db: db, keys: keys} }

var _ flare.NoteService = (*NoteService)(nil)

// maxWorkList caps the notes, tasks or documents of one case returned at
// once; every record listed is a read, audited.
const maxWorkList = 500

// authorizeInCase loads case caseID in tx and asks the policy whether the
// actor may do action to a record of recordType in it, given the case's
// active grants. A refusal comes back as a denial, which the caller's
// auditDenied records once the transaction has rolled back.
func (db *DB) authorizeInCase(ctx context.Context, tx *sql.Tx, caseID string, action policy.Action,
	recordType, recordID string) (*flare.Case, error) {
	c, err := db.loadCase(ctx, tx, caseID)
	if err != nil {
		return nil, err
	}
	actor, ok := flare.ActorFrom(ctx)
	if !ok {
		return nil, flare.Errorf(flare.EUNAUTHORIZED, "sign in first")
	}
	var grants []policy.Grant
	if !actor.Console && actor.AgencyID != c.AgencyID {
		if grants, err = db.activeGrants(ctx, tx, c.ID); err != nil {
			return nil, err
		}
	}
	rec := policy.Record{Type: recordType, OwnerAgencyID: c.AgencyID}
	d := policy.Decide(actor, action, rec, grants)
	// Adding to a case one may not even know of must not tell that the
	// case exists: the policy's Forbidden for creating in another agency's
	// name becomes NotFound here (checklist R-AZ1).
	if d == policy.DenyForbidden && action != policy.Read && policy.Decide(actor, policy.Read, rec, grants) == policy.DenyNotFound {
		d = policy.DenyNotFound
	}
	if err := policy.Error(d, rec); err != nil {
		return nil, &denial{err: err, ev: auditEvent{action: auditAction(action), recordType: recordType, recordID: recordID, caseID: c.ID}}
	}
	return c, nil
}

// auditAction is the audit log's word for a policy action.
func auditAction(a policy.Action) audit.Action {
	switch a {
	case policy.Create:
		return audit.ActionCreate
	case policy.Update:
		return audit.ActionUpdate
	case policy.Delete:
		return audit.ActionDelete
	case policy.Export:
		return audit.ActionExport
	case policy.Share:
		return audit.ActionShare
	}
	return audit.ActionRead
}

// CreateNote implements flare.NoteService.
func (s *NoteService) CreateNote(ctx context.Context, n *flare.Note) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if !validID(n.CaseID) {
		return flare.Errorf(flare.ENOTFOUND, "case not found")
	}
	if n.Corrects != "" && !validID(n.Corrects) {
		return flare.FieldError("corrects", "is not a note of this case")
	}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.authorizeInCase(ctx, tx, n.CaseID, policy.Create, "note", ""); err != nil {
			return err
		}
		if n.Corrects != "" {
			var k int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notes WHERE id = $1 AND case_id = $2`,
				n.Corrects, n.CaseID).Scan(&k); err != nil {
				return fmt.Errorf("find corrected note: %w", s.db.dialect.translate(err))
			}
			if k == 0 {
				return flare.FieldError("corrects", "is not a note of this case")
			}
		}
		return s.insertNote(ctx, tx, n)
	})
	return s.db.auditDenied(ctx, err)
}

// insertNote writes an already validated and authorised note in tx: its
// data key, its sealed text, the row and its audit entry. It sets the
// note's ID, author and CreatedAt (kept when already set, for the seeder).
// The seeder calls it many times in one transaction; keep its signature.
func (s *NoteService) insertNote(ctx context.Context, tx *sql.Tx, n *flare.Note) error {
	id, err := newID()
	if err != nil {
		return err
	}
	actor, _ := flare.ActorFrom(ctx)
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.db.now().UTC()
	}
	key, err := s.keys.CreateDataKey(ctx, tx, "note", id)
	if err != nil {
		return err
	}
	sealed, err := key.SealString(noteTextLocation(id), n.Text)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO notes (id, case_id, text, corrects, author_id, author_agency_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, n.CaseID, sealed, nullString(n.Corrects), actor.UserID, actor.AgencyID, n.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert note: %w", s.db.dialect.translate(err))
	}
	fields := []string{"text"}
	if n.Corrects != "" {
		fields = append(fields, "corrects")
	}
	if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "note", recordID: id, caseID: n.CaseID, fields: fields}); err != nil {
		return err
	}
	n.ID, n.AuthorID, n.AuthorAgencyID = id, actor.UserID, actor.AgencyID
	return nil
}

func noteTextLocation(id string) vault.Location {
	return vault.Location{Table: "notes", Column: "text", RowID: id}
}

// Notes implements flare.NoteService. Each note returned is a read of its
// text, audited one by one: who read which testimony must be answerable.
func (s *NoteService) Notes(ctx context.Context, caseID string) ([]*flare.Note, error) {
	var out []*flare.Note
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := s.db.authorizeInCase(ctx, tx, caseID, policy.Read, "note", ""); err != nil {
			return err
		}
		notes, sealed, err := s.queryNotes(ctx, tx, caseID)
		if err != nil {
			return err
		}
		corrections := map[string][]string{}
		for i, n := range notes {
			if err := s.open(ctx, tx, n, sealed[i]); err != nil {
				return err
			}
			if n.Corrects != "" {
				corrections[n.Corrects] = append([]string{n.ID}, corrections[n.Corrects]...)
			}
			if err := s.db.record(ctx, tx, auditEvent{action: audit.ActionRead, recordType: "note", recordID: n.ID,
				caseID: caseID, fields: []string{"text"}}); err != nil {
				return err
			}
		}
		for _, n := range notes {
			n.CorrectedBy = corrections[n.ID]
		}
		out = notes
		return nil
	})
	return out, s.db.auditDenied(ctx, err)
}

// queryNotes reads the rows of a case's notes, newest first, with their
// sealed text; the rows are closed before any key is loaded, since a
// transaction has one connection.
func (s *NoteService) queryNotes(ctx context.Context, tx *sql.Tx, caseID string) ([]*flare.Note, [][]byte, error) {
	rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT id, text, corrects, author_id, author_agency_id, created_at
		FROM notes WHERE case_id = $1 ORDER BY created_at DESC, id DESC LIMIT %d`, maxWorkList), caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("list notes: %w", s.db.dialect.translate(err))
	}
	defer rows.Close()
	var notes []*flare.Note
	var sealed [][]byte
	for rows.Next() {
		n := &flare.Note{CaseID: caseID}
		var blob []byte
		var corrects sql.NullString
		if err := rows.Scan(&n.ID, &blob, &corrects, &n.AuthorID, &n.AuthorAgencyID, &n.CreatedAt); err != nil {
			return nil, nil, fmt.Errorf("list notes: %w", err)
		}
		n.Corrects, n.CreatedAt = corrects.String, n.CreatedAt.UTC()
		notes, sealed = append(notes, n), append(sealed, blob)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("list notes: %w", err)
	}
	return notes, sealed, nil
}

// open decrypts a note's text. An erased note (its key destroyed) reads as
// erased, not as an error, so the rest of the case stays readable.
func (s *NoteService) open(ctx context.Context, tx *sql.Tx, n *flare.Note, sealed []byte) error {
	key, err := s.keys.DataKey(ctx, tx, "note", n.ID)
	if errors.Is(err, ErrDataKeyDestroyed) {
		n.Erased = true
		return nil
	}
	if err != nil {
		return err
	}
	if n.Text, err = key.OpenString(noteTextLocation(n.ID), sealed); err != nil {
		return fmt.Errorf("open note %s: %w", n.ID, err)
	}
	return nil
}
