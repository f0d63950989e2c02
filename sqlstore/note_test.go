package sqlstore_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// workFixture is a database with two agencies, a case in the first, a
// user of each, the work services and a fake clock.
type workFixture struct {
	db        *sqlstore.DB
	clock     *storetest.Clock
	keys      *sqlstore.KeyStore
	notes     *sqlstore.NoteService
	tasks     *sqlstore.TaskService
	docs      *sqlstore.DocumentService
	timeline  *sqlstore.TimelineService
	cases     *sqlstore.CaseService
	agency    *flare.Agency
	other     *flare.Agency
	kase      *flare.Case
	user      *flare.User // inspector of agency
	colleague *flare.User // caseworker of agency
	stranger  *flare.User // inspector of other
}

func newWorkFixture(t *testing.T, dbURL string) *workFixture {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	clock := storetest.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	db.SetClock(clock.Now)
	keys := storetest.Keys(t, db)
	f := &workFixture{db: db, clock: clock, keys: keys, notes: sqlstore.NewNoteService(db, keys),
		tasks: sqlstore.NewTaskService(db), docs: sqlstore.NewDocumentService(db, keys),
		timeline: sqlstore.NewTimelineService(db), cases: sqlstore.NewCaseService(db)}
	console := flare.WithActor(context.Background(), flare.Actor{Console: true})
	f.agency = &flare.Agency{Name: "Labour Inspectorate", Kind: flare.AgencyLabourInspectorate}
	f.other = &flare.Agency{Name: "Police", Kind: flare.AgencyPolice}
	for _, a := range []*flare.Agency{f.agency, f.other} {
		if err := sqlstore.NewAgencyService(db).CreateAgency(console, a); err != nil {
			t.Fatal(err)
		}
	}
	users := sqlstore.NewUserService(db, flare.DefaultSessionPolicy())
	for _, u := range []struct {
		to    **flare.User
		a     *flare.Agency
		email string
		role  flare.Role
	}{{&f.user, f.agency, "ins@li.example", flare.RoleInspector}, {&f.colleague, f.agency, "cw@li.example", flare.RoleCaseworker},
		{&f.stranger, f.other, "pol@police.example", flare.RoleInvestigator}} {
		*u.to = &flare.User{AgencyID: u.a.ID, Email: u.email, Roles: []flare.Role{u.role}}
		if _, err := users.CreateUser(console, *u.to); err != nil {
			t.Fatal(err)
		}
	}
	f.kase = &flare.Case{AgencyID: f.agency.ID, Reference: "LI-9", Title: "Tea estate", Status: flare.CaseOpen, OpenedOn: clock.Now()}
	if err := f.cases.CreateCase(console, f.kase); err != nil {
		t.Fatal(err)
	}
	return f
}

// as is the context of u acting with its roles.
func as(u *flare.User) context.Context {
	a := u.Actor()
	a.SessionID = "s-" + u.ID[:8]
	return flare.WithActor(context.Background(), a)
}

// asRole is the context of a user of agency a with role.
func asRole(a *flare.Agency, role flare.Role) context.Context {
	return flare.WithActor(context.Background(), flare.Actor{UserID: "0190aaaa-0000-7000-8000-000000000001", AgencyID: a.ID, Roles: []string{string(role)}})
}

// count runs a COUNT(*) query on the raw database.
func (f *workFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	err := f.db.InTx(context.Background(), func(tx *sql.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// audits counts the audit entries of a record type with an action and
// outcome.
func (f *workFixture) audits(t *testing.T, recordType, action, outcome string) int {
	t.Helper()
	return f.count(t, `SELECT COUNT(*) FROM audit_entries WHERE record_type = $1 AND action = $2 AND outcome = $3`, recordType, action, outcome)
}

func wantCode(t *testing.T, err error, code flare.ErrorCode, field string) {
	t.Helper()
	if got := flare.ErrorCodeOf(err); got != code {
		t.Fatalf("error = %v (code %q), want %q", err, got, code)
	}
	if field != "" {
		if fe, ok := err.(*flare.Error); !ok || fe.Fields[field] == "" {
			t.Fatalf("error %v does not name field %q", err, field)
		}
	}
}

func TestNotes(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		f := newWorkFixture(t, dbURL)
		ctx := as(f.user)
		const marker = "MARKER-testimony-7f3a"
		first := &flare.Note{CaseID: f.kase.ID, Text: "She said the recruiter kept her passport. " + marker}
		if err := f.notes.CreateNote(ctx, first); err != nil {
			t.Fatal(err)
		}
		if first.ID == "" || first.AuthorID != f.user.ID || first.AuthorAgencyID != f.agency.ID || first.CreatedAt.IsZero() {
			t.Fatalf("created note = %+v", first)
		}
		f.clock.Add(time.Minute)
		fix := &flare.Note{CaseID: f.kase.ID, Text: "Correction: it was the employer, not the recruiter.", Corrects: first.ID}
		if err := f.notes.CreateNote(as(f.colleague), fix); err != nil {
			t.Fatal(err)
		}
		notes, err := f.notes.Notes(ctx, f.kase.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 2 || notes[0].ID != fix.ID || notes[1].Text != first.Text || notes[0].Corrects != first.ID ||
			len(notes[1].CorrectedBy) != 1 || notes[1].CorrectedBy[0] != fix.ID {
			t.Fatalf("notes = %+v %+v", notes[0], notes[1])
		}
		// Audited: 2 creates, 2 reads (one per note listed).
		if c, r := f.audits(t, "note", "create", "ok"), f.audits(t, "note", "read", "ok"); c != 2 || r != 2 {
			t.Errorf("audit: %d creates, %d reads; want 2, 2", c, r)
		}
		// Sealed: the marker is nowhere in the notes table, nor in the log.
		var blob []byte
		if err := f.db.InTx(context.Background(), func(tx *sql.Tx) error {
			return tx.QueryRow(`SELECT text FROM notes WHERE id = $1`, first.ID).Scan(&blob)
		}); err != nil || strings.Contains(string(blob), marker) {
			t.Fatalf("note text stored in plaintext (err %v)", err)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM audit_entries WHERE fields LIKE $1 OR justification LIKE $1`, "%"+marker+"%"); n != 0 {
			t.Errorf("marker in the audit log %d times", n)
		}

		// Bad input names the field and stores nothing.
		before := f.count(t, `SELECT COUNT(*) FROM notes`)
		for _, tc := range []struct {
			n     flare.Note
			field string
		}{
			{flare.Note{CaseID: f.kase.ID, Text: "  \u202e "}, "text"},
			{flare.Note{CaseID: f.kase.ID, Text: strings.Repeat("x", flare.MaxNoteLength+1)}, "text"},
			{flare.Note{CaseID: f.kase.ID, Text: "x", Corrects: "nope"}, "corrects"},
		} {
			wantCode(t, f.notes.CreateNote(ctx, &tc.n), flare.EINVALID, tc.field)
		}
		// A correction must correct a note of the same case.
		otherCase := &flare.Case{AgencyID: f.agency.ID, Reference: "LI-10", Title: "Other", Status: flare.CaseOpen, OpenedOn: f.clock.Now()}
		if err := f.cases.CreateCase(ctx, otherCase); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.notes.CreateNote(ctx, &flare.Note{CaseID: otherCase.ID, Text: "x", Corrects: first.ID}), flare.EINVALID, "corrects")
		if n := f.count(t, `SELECT COUNT(*) FROM notes`); n != before {
			t.Fatalf("refused notes stored: %d rows, want %d", n, before)
		}

		// Another agency does not know the case; an analyst may not read it.
		_, err = f.notes.Notes(as(f.stranger), f.kase.ID)
		wantCode(t, err, flare.ENOTFOUND, "")
		wantCode(t, f.notes.CreateNote(as(f.stranger), &flare.Note{CaseID: f.kase.ID, Text: "x"}), flare.ENOTFOUND, "")
		_, err = f.notes.Notes(asRole(f.agency, flare.RoleAnalyst), f.kase.ID)
		wantCode(t, err, flare.EFORBIDDEN, "")
		if n := f.audits(t, "note", "read", "denied") + f.audits(t, "note", "create", "denied"); n != 3 {
			t.Errorf("denials audited: %d, want 3", n)
		}
	})
}
