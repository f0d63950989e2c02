package flare

import (
	"context"
	"time"
	"unicode/utf8"
)

// MaxNoteLength bounds a note's text (runes): long enough for a full
// account, short enough that one form cannot fill a disk.
const MaxNoteLength = 20000

// Note is a case worker's formal update on a case (HTCDS 2.0 Case Comment,
// cco_CaseComment: "a formal update from a case worker about the case").
// Notes are testimony: their text is sealed under the note's own data key,
// and they are append-only. A mistake is corrected by a new note that names
// the one it corrects, so what was written, by whom and when, stays.
type Note struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	// Text is cco_CaseComment.
	Text string `json:"text"`
	// Corrects is the id of an earlier note of the same case that this one
	// corrects; empty for a new account.
	Corrects string `json:"corrects,omitempty"`
	// CorrectedBy lists the notes that correct this one, oldest first; the
	// store fills it on reads.
	CorrectedBy []string `json:"corrected_by,omitempty"`
	// Erased is true when the note's data key was destroyed: its text is
	// gone for good and Text is empty.
	Erased bool `json:"erased,omitempty"`
	// AuthorID and AuthorAgencyID say who wrote it (empty user for the
	// console operator); the store sets them from the Actor.
	AuthorID       string    `json:"author_id,omitempty"`
	AuthorAgencyID string    `json:"author_agency_id,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate normalises the note's text and checks every field.
func (n *Note) Validate() error {
	n.Text = CleanText(n.Text)
	switch {
	case n.CaseID == "":
		return FieldError("case_id", "is required")
	case n.Text == "":
		return FieldError("text", "is required")
	case utf8.RuneCountInString(n.Text) > MaxNoteLength:
		return FieldError("text", "is longer than %d characters", MaxNoteLength)
	}
	return nil
}

// NoteService keeps the notes of cases. There is no update and no delete:
// a note is corrected by another note.
type NoteService interface {
	// CreateNote stores a new note and sets its ID, author and CreatedAt.
	CreateNote(ctx context.Context, n *Note) error
	// Notes returns the notes of a case, newest first.
	Notes(ctx context.Context, caseID string) ([]*Note, error)
}
