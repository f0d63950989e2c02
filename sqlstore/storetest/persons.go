package storetest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/sqlstore"
)

// personEnv is a database with a key ring, two agencies and a case of the
// first.
type personEnv struct {
	dbURL   string
	db      *sqlstore.DB
	keys    *sqlstore.KeyStore
	persons *sqlstore.PersonService
	owner   *flare.Agency
	other   *flare.Agency
	c       *flare.Case
}

func newPersonEnv(t *testing.T, dbURL string) *personEnv {
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
	keys := Keys(t, db)
	e := &personEnv{dbURL: dbURL, db: db, keys: keys, persons: sqlstore.NewPersonService(db, keys)}
	e.owner = mustAgency(t, db, "Inspectorate Persons", flare.AgencyLabourInspectorate)
	e.other = mustAgency(t, db, "Police Persons", flare.AgencyPolice)
	e.c = mustCase(t, db, actorOf(e.owner, flare.RoleInspector), newCase(e.owner.ID, "P-1"))
	return e
}

// PersonFixture returns a presumed victim with every field set, each text
// holding marker, in case caseID.
func PersonFixture(caseID, marker string) *flare.Person {
	birth := time.Date(1994, 5, 17, 0, 0, 0, 0, time.UTC)
	expires := time.Date(2029, 1, 31, 0, 0, 0, 0, time.UTC)
	return &flare.Person{CaseID: caseID, Role: flare.RolePresumedVictim,
		PersonIdentity: &flare.PersonIdentity{
			FirstName: "Amina" + marker + "first", MiddleName: "Wanjiru", SecondName: "Okafor" + marker + "second",
			Birthdate: &birth,
			Contact: flare.PersonContact{Email: "amina." + strings.ToLower(marker) + "@mail.example", MobilePhone: "+254700123456",
				MailingStreet: "12 Moi Avenue " + marker + "street", MailingCity: "Mombasa", MailingState: "Coast",
				MailingPostalCode: "80100", MailingCountry: "KE"},
			IdentityDocuments: []flare.IdentityDocument{{Type: flare.DocPassport, Number: "AK" + marker + "doc", IssuingCountry: "KE", ExpiresOn: &expires}},
		},
		Gender: flare.GenderFeminine, Citizenship: []string{"KE"}, PrimaryLanguage: "sw", SecondaryLanguage: "en",
		VictimStatus: &flare.VictimStatus{
			Suspected: &flare.StatusDecision{DecidedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC), DecidedBy: flare.DecidedByOtherGovernment},
			Presumed:  &flare.StatusDecision{DecidedOn: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), DecidedBy: flare.DecidedByNGO},
		}}
}

// RunPersons is the conformance suite of the person service on dbURL:
// field groups on read and write (R-AZ2), sealing at rest (R-CR1), stale
// versions (R-CC1), the name index, erasure and subject access (R-DP2).
func RunPersons(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	t.Run("CreateRead", func(t *testing.T) { testPersonCreateRead(t, e) })
	t.Run("FieldGroups", func(t *testing.T) { testPersonFieldGroups(t, e) })
	t.Run("Justification", func(t *testing.T) { testPersonJustification(t, e) })
	t.Run("Grants", func(t *testing.T) { testPersonGrants(t, e) })
	t.Run("StaleVersion", func(t *testing.T) { testPersonStale(t, e) })
	t.Run("FindByName", func(t *testing.T) { testPersonFind(t, e) })
	t.Run("Erased", func(t *testing.T) { testPersonErased(t, e) })
	t.Run("Export", func(t *testing.T) { testPersonExport(t, e) })
	t.Run("BadInput", func(t *testing.T) { testPersonBadInput(t, e) })
	t.Run("SealedAtRest", func(t *testing.T) { testPersonSealedAtRest(t, e) })
}

func (e *personEnv) create(t *testing.T, ctx context.Context, p *flare.Person) *flare.Person {
	t.Helper()
	if err := e.persons.CreatePerson(ctx, p); err != nil {
		t.Fatalf("create person: %v", err)
	}
	return p
}

// personAudits counts the audit entries about person id with action and
// outcome.
func (e *personEnv) personAudits(t *testing.T, id string, action audit.Action, outcome audit.Outcome) []audit.Entry {
	t.Helper()
	entries, err := e.db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: e.c.ID, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range entries {
		if en.RecordType == "person" && en.RecordID == id && en.Outcome == outcome {
			out = append(out, en)
		}
	}
	return out
}

func testPersonCreateRead(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	want := PersonFixture(e.c.ID, "CR")
	p := e.create(t, cw, PersonFixture(e.c.ID, "CR"))
	if p.ID == "" || p.Version != 1 {
		t.Fatalf("created %+v", p)
	}
	got, err := e.persons.Person(cw, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.IdentityWithheld != "" || got.PersonIdentity == nil {
		t.Fatalf("caseworker of the owner gets no identity: %q", got.IdentityWithheld)
	}
	diffJSON(t, "identity", want.PersonIdentity, got.PersonIdentity)
	if got.VictimStatus == nil || got.VictimStatus.Current != flare.VictimPresumed || got.VictimStatus.Presumed.DecidedBy != flare.DecidedByNGO {
		t.Errorf("victim status = %+v", got.VictimStatus)
	}
	if !slices.Equal(got.Citizenship, []string{"KE"}) || got.PrimaryLanguage != "sw" || got.Gender != flare.GenderFeminine {
		t.Errorf("profile = %+v", got)
	}
	if n := len(e.personAudits(t, p.ID, audit.ActionCreate, audit.OutcomeOK)); n != 1 {
		t.Errorf("%d create entries, want 1", n)
	}
	reads := e.personAudits(t, p.ID, audit.ActionRead, audit.OutcomeOK)
	if len(reads) != 1 || !slices.Contains(reads[0].Fields, "first_name") || !slices.Contains(reads[0].Fields, "gender") {
		t.Fatalf("read entries = %+v", reads)
	}
	list, err := e.persons.CasePersons(cw, e.c.ID)
	if err != nil || len(list) == 0 {
		t.Fatalf("case persons = %v, %v", list, err)
	}
	if n := len(e.personAudits(t, p.ID, audit.ActionRead, audit.OutcomeOK)); n != 2 {
		t.Errorf("%d read entries after the list, want 2", n)
	}
	// Another agency without a grant does not know the person exists.
	_, err = e.persons.Person(actorOf(e.other, flare.RoleInvestigator), p.ID)
	wantCode(t, err, flare.ENOTFOUND)
	_, err = e.persons.CasePersons(actorOf(e.other, flare.RoleInvestigator), e.c.ID)
	wantCode(t, err, flare.ENOTFOUND)
	if n := len(e.personAudits(t, p.ID, audit.ActionRead, audit.OutcomeDenied)); n != 1 {
		t.Errorf("%d denied reads, want 1", n)
	}
	// Admins see no case contents: 403.
	_, err = e.persons.Person(actorOf(e.owner, flare.RoleAdmin), p.ID)
	wantCode(t, err, flare.EFORBIDDEN)
}

func testPersonFieldGroups(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, cw, PersonFixture(e.c.ID, "FG"))
	intake := actorOf(e.owner, flare.RoleIntake)
	got, err := e.persons.Person(intake, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PersonIdentity != nil || got.IdentityWithheld != flare.IdentityNotPermitted {
		t.Fatalf("intake sees identity: %+v", got)
	}
	b, _ := json.Marshal(got)
	for _, key := range []string{"first_name", "second_name", "birthdate", "contact", "identity_documents", "middle_name"} {
		if strings.Contains(string(b), `"`+key+`"`) {
			t.Errorf("JSON for intake holds %q: %s", key, b)
		}
	}
	// Intake may not write identity: refused, nothing changed.
	name := "Changed"
	_, err = e.persons.UpdatePerson(intake, p.ID, flare.PersonUpdate{Version: 1, FirstName: &name})
	wantCode(t, err, flare.EFORBIDDEN)
	// Nor add a person with identity, though it may add one without.
	err = e.persons.CreatePerson(intake, PersonFixture(e.c.ID, "FGI"))
	wantCode(t, err, flare.EFORBIDDEN)
	anon := &flare.Person{CaseID: e.c.ID, Role: flare.RoleWitness, Gender: flare.GenderMasculine}
	e.create(t, intake, anon)
	// A profile update by intake works.
	g := flare.GenderNonSpecifiedUnknown
	upd, err := e.persons.UpdatePerson(intake, p.ID, flare.PersonUpdate{Version: 1, Gender: &g})
	if err != nil || upd.Version != 2 || upd.PersonIdentity != nil {
		t.Fatalf("intake profile update = %+v, %v", upd, err)
	}
	after, _ := e.persons.Person(cw, p.ID)
	if after.FirstName != "AminaFGfirst" || after.Gender != g {
		t.Errorf("after the refused and the allowed update: %q %q", after.FirstName, after.Gender)
	}
	if n := len(e.personAudits(t, p.ID, audit.ActionUpdate, audit.OutcomeDenied)); n != 1 {
		t.Errorf("%d denied updates, want 1", n)
	}
}

func testPersonJustification(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	victim := e.create(t, cw, PersonFixture(e.c.ID, "JU"))
	suspect := PersonFixture(e.c.ID, "JS")
	suspect.Role, suspect.VictimStatus = flare.RoleSuspectedPerpetrator, nil
	e.create(t, cw, suspect)
	police := actorOf(e.owner, flare.RoleInvestigator)
	got, err := e.persons.Person(police, victim.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PersonIdentity != nil || got.IdentityWithheld != flare.IdentityJustificationRequired {
		t.Fatalf("investigator without reason: withheld %q", got.IdentityWithheld)
	}
	got, err = e.persons.Person(flare.WithJustification(police, "Warrant 2026/114, hearing of 3 April"), victim.ID)
	if err != nil || got.PersonIdentity == nil {
		t.Fatalf("investigator with a reason: %+v, %v", got, err)
	}
	reads := e.personAudits(t, victim.ID, audit.ActionRead, audit.OutcomeOK)
	last := reads[0] // newest first
	if last.Justification != "Warrant 2026/114, hearing of 3 April" || !slices.Contains(last.Fields, "first_name") {
		t.Errorf("read entry = %+v", last)
	}
	if slices.Contains(reads[1].Fields, "first_name") {
		t.Errorf("the read without a reason is recorded as reading identity: %+v", reads[1])
	}
	// A suspect's identity needs no reason.
	got, err = e.persons.Person(police, suspect.ID)
	if err != nil || got.PersonIdentity == nil {
		t.Fatalf("suspect for investigator: %+v, %v", got, err)
	}
}

func testPersonGrants(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	c := mustCase(t, e.db, cw, newCase(e.owner.ID, "P-G"))
	a := e.create(t, cw, PersonFixture(c.ID, "GA"))
	b := e.create(t, cw, PersonFixture(c.ID, "GB"))
	g := lawGrant(c.ID, e.other.ID, flare.GrantContribute)
	g.PersonIDs = []string{a.ID}
	g.FieldGroups = []flare.FieldGroup{flare.FieldGroupProfile}
	if err := sqlstore.NewGrantService(e.db).ShareCase(console(), g); err != nil {
		t.Fatal(err)
	}
	other := actorOf(e.other, flare.RoleCaseworker)
	got, err := e.persons.Person(other, a.ID)
	if err != nil || got.PersonIdentity != nil || got.IdentityWithheld != flare.IdentityNotPermitted {
		t.Fatalf("grantee with a profile grant: %+v, %v", got, err)
	}
	_, err = e.persons.Person(other, b.ID)
	wantCode(t, err, flare.ENOTFOUND)
	list, err := e.persons.CasePersons(other, c.ID)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Fatalf("grantee's list = %v, %v", list, err)
	}
	name := "Someone"
	_, err = e.persons.UpdatePerson(other, a.ID, flare.PersonUpdate{Version: 1, FirstName: &name})
	wantCode(t, err, flare.EFORBIDDEN)
	lang := "fr"
	if _, err := e.persons.UpdatePerson(other, a.ID, flare.PersonUpdate{Version: 1, PrimaryLanguage: &lang}); err != nil {
		t.Fatalf("grantee profile update: %v", err)
	}
	// A grant of the identity group alone shows the identity and the
	// role, not the rest of the profile.
	third := mustAgency(t, e.db, "Prosecution Persons", flare.AgencyProsecution)
	gi := lawGrant(c.ID, third.ID, flare.GrantRead)
	gi.FieldGroups = []flare.FieldGroup{flare.FieldGroupIdentity}
	if err := sqlstore.NewGrantService(e.db).ShareCase(console(), gi); err != nil {
		t.Fatal(err)
	}
	got, err = e.persons.Person(actorOf(third, flare.RoleCaseworker), b.ID)
	if err != nil || got.PersonIdentity == nil || got.Gender != "" || got.VictimStatus != nil || got.Role != flare.RolePresumedVictim {
		t.Fatalf("identity-only grantee: %+v, %v", got, err)
	}
	grants, err := sqlstore.NewGrantService(e.db).CaseGrants(console(), c.ID)
	if err != nil || len(grants) != 2 || !slices.Equal(grants[0].FieldGroups, g.FieldGroups) {
		t.Fatalf("stored grant = %+v, %v", grants, err)
	}
}

func testPersonStale(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, cw, PersonFixture(e.c.ID, "ST"))
	first, second := "Amira", "Aminata"
	if _, err := e.persons.UpdatePerson(cw, p.ID, flare.PersonUpdate{Version: 1, FirstName: &first}); err != nil {
		t.Fatal(err)
	}
	_, err := e.persons.UpdatePerson(cw, p.ID, flare.PersonUpdate{Version: 1, FirstName: &second})
	wantCode(t, err, flare.ECONFLICT)
	got, _ := e.persons.Person(cw, p.ID)
	if got.FirstName != first || got.Version != 2 {
		t.Errorf("after a stale update: %q v%d", got.FirstName, got.Version)
	}
}

func testPersonFind(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	p := PersonFixture(e.c.ID, "FN")
	p.FirstName, p.MiddleName, p.SecondName = "Józef", "", "Wiśniewski-Kowalczyk"
	e.create(t, cw, p)
	found, err := e.persons.FindPersons(cw, "jozef KOWALCZYK")
	if err != nil || len(found) != 1 || found[0].ID != p.ID {
		t.Fatalf("find = %v, %v", found, err)
	}
	if found, _ := e.persons.FindPersons(cw, "Jozef Nowak"); len(found) != 0 {
		t.Errorf("found %d for a name that is not there", len(found))
	}
	if found, _ := e.persons.FindPersons(actorOf(e.other, flare.RoleCaseworker), "Jozef"); len(found) != 0 {
		t.Errorf("another agency finds %d", len(found))
	}
	if found, _ := e.persons.FindPersons(actorOf(e.owner, flare.RoleIntake), "Jozef"); len(found) != 0 {
		t.Errorf("intake finds %d by name", len(found))
	}
	// The case list searches the same index.
	cases, err := sqlstore.NewCaseService(e.db).WithKeys(e.keys).Cases(cw, flare.CaseFilter{Name: "wisniewski"})
	if err != nil || len(cases) != 1 || cases[0].ID != e.c.ID {
		t.Fatalf("case list by name = %v, %v", cases, err)
	}
	// Renaming rewrites the index.
	name := "Jan"
	if _, err := e.persons.UpdatePerson(cw, p.ID, flare.PersonUpdate{Version: 1, FirstName: &name}); err != nil {
		t.Fatal(err)
	}
	if found, _ := e.persons.FindPersons(cw, "Jozef"); len(found) != 0 {
		t.Errorf("the old name is still found")
	}
	if found, _ := e.persons.FindPersons(cw, "jan wisniewski"); len(found) != 1 {
		t.Errorf("the new name is not found")
	}
}

func testPersonErased(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	p := e.create(t, cw, PersonFixture(e.c.ID, "ER"))
	err := e.db.InTx(context.Background(), func(tx *sql.Tx) error {
		return e.keys.DestroyDataKey(context.Background(), tx, "person", p.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.persons.Person(cw, p.ID)
	if err != nil || got.PersonIdentity != nil || got.IdentityWithheld != flare.IdentityErased {
		t.Fatalf("erased person = %+v, %v", got, err)
	}
	if _, err := e.persons.CasePersons(cw, e.c.ID); err != nil {
		t.Fatalf("case with an erased person: %v", err)
	}
	name := "X"
	_, err = e.persons.UpdatePerson(cw, p.ID, flare.PersonUpdate{Version: 1, FirstName: &name})
	wantCode(t, err, flare.ECONFLICT)
}

func testPersonExport(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	c := mustCase(t, e.db, cw, newCase(e.owner.ID, "P-X"))
	want := PersonFixture(c.ID, "EX")
	p := e.create(t, cw, PersonFixture(c.ID, "EX"))
	g := lawGrant(c.ID, e.other.ID, flare.GrantRead)
	if err := sqlstore.NewGrantService(e.db).ShareCase(console(), g); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := e.persons.Person(cw, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.persons.Person(actorOf(e.other, flare.RoleCaseworker), p.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.persons.ExportPerson(cw, p.ID)
	wantCode(t, err, flare.EFORBIDDEN)
	_, err = e.persons.ExportPerson(actorOf(e.other, flare.RoleSupervisor), p.ID)
	wantCode(t, err, flare.EFORBIDDEN)
	x, err := e.persons.ExportPerson(actorOf(e.owner, flare.RoleSupervisor), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	CheckPersonExport(t, x, want)
	if x.Case.ID != c.ID || len(x.Grants) != 1 || x.Grants[0].AgencyID != e.other.ID {
		t.Errorf("export case/grants = %v %+v", x.Case.ID, x.Grants)
	}
	counts := map[string]int{}
	for _, l := range x.AuditSummary {
		counts[l.AgencyID+"/"+l.Action] = l.Count
		if l.First.IsZero() || l.Last.Before(l.First) {
			t.Errorf("summary dates %+v", l)
		}
	}
	wantCounts := map[string]int{e.owner.ID + "/create": 1, e.owner.ID + "/read": 3, e.other.ID + "/read": 1}
	diffJSON(t, "audit summary", wantCounts, counts)
	if n := len(e.personAuditsIn(t, c.ID, p.ID, audit.ActionExport)); n != 1 {
		t.Errorf("%d export entries, want 1", n)
	}
}

func (e *personEnv) personAuditsIn(t *testing.T, caseID, id string, action audit.Action) []audit.Entry {
	t.Helper()
	entries, err := e.db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: caseID, Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range entries {
		if en.RecordID == id && en.Outcome == audit.OutcomeOK {
			out = append(out, en)
		}
	}
	return out
}

// CheckPersonExport compares an export with the fixture it was made from,
// field by field (security checklist R-DP2).
func CheckPersonExport(t testing.TB, x *flare.PersonExport, want *flare.Person) {
	t.Helper()
	got := *x.Person
	if got.IdentityWithheld != "" {
		t.Fatalf("export withholds identity: %s", got.IdentityWithheld)
	}
	w := *want
	w.ID, w.Version, w.CreatedAt, w.UpdatedAt = got.ID, got.Version, got.CreatedAt, got.UpdatedAt
	if w.VictimStatus != nil && got.VictimStatus != nil {
		vs := *w.VictimStatus
		vs.Current = got.VictimStatus.Current
		// The store records the deciding agency of a stage given without
		// one (flare.VictimStatus.StampDecidingAgencies).
		for _, st := range []struct {
			w **flare.StatusDecision
			g *flare.StatusDecision
		}{
			{&vs.Suspected, got.VictimStatus.Suspected}, {&vs.Presumed, got.VictimStatus.Presumed}, {&vs.Identified, got.VictimStatus.Identified}} {
			if *st.w != nil && (*st.w).AgencyID == "" && st.g != nil {
				d := **st.w
				d.AgencyID = st.g.AgencyID
				*st.w = &d
			}
		}
		w.VictimStatus = &vs
	}
	diffJSON(t, "export", &w, &got)
}

// diffJSON compares want and got key by key of their JSON forms, naming
// every field that differs.
func diffJSON(t testing.TB, what string, want, got any) {
	t.Helper()
	flat := func(v any) map[string]string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for k, v := range m {
			vb, _ := json.Marshal(v)
			out[k] = string(vb)
		}
		return out
	}
	w, g := flat(want), flat(got)
	for k, v := range w {
		if g[k] != v {
			t.Errorf("%s: field %s = %s, want %s", what, k, g[k], v)
		}
	}
	for k, v := range g {
		if _, ok := w[k]; !ok {
			t.Errorf("%s: unexpected field %s = %s", what, k, v)
		}
	}
}

func testPersonBadInput(t *testing.T, e *personEnv) {
	cw := actorOf(e.owner, flare.RoleCaseworker)
	for field, mutate := range map[string]func(p *flare.Person){
		"role":                              func(p *flare.Person) { p.Role = "boss" },
		"gender":                            func(p *flare.Person) { p.Gender = "female" },
		"citizenship":                       func(p *flare.Person) { p.Citizenship = []string{"XX"} },
		"primary_language":                  func(p *flare.Person) { p.PrimaryLanguage = "english" },
		"contact.email":                     func(p *flare.Person) { p.Contact.Email = "not an address" },
		"contact.mobile_phone":              func(p *flare.Person) { p.Contact.MobilePhone = "0700" },
		"identity_documents.number":         func(p *flare.Person) { p.IdentityDocuments[0].Number = "" },
		"age_years":                         func(p *flare.Person) { a := 30; p.AgeYears = &a },
		"first_name":                        func(p *flare.Person) { p.FirstName, p.SecondName = "", "" },
		"victim_status.presumed.decided_by": func(p *flare.Person) { p.VictimStatus.Presumed.DecidedBy = "me" },
	} {
		p := PersonFixture(e.c.ID, "BAD")
		mutate(p)
		err := e.persons.CreatePerson(cw, p)
		wantCode(t, err, flare.EINVALID)
		var fe *flare.Error
		if !errors.As(err, &fe) || fe.Fields[field] == "" {
			t.Errorf("%s: error %v does not name the field", field, err)
		}
	}
	_, err := e.persons.Person(cw, "not-an-id")
	wantCode(t, err, flare.ENOTFOUND)
	_, err = e.persons.Person(context.Background(), "x")
	wantCode(t, err, flare.EUNAUTHORIZED)
}

// testPersonSealedAtRest writes a person with unique markers in every
// identity field, then greps the SQLite file and its WAL, or every
// PostgreSQL table as text and a pg_dump: no marker is there, while the
// case title stored in plaintext is (security checklist R-CR1).
func testPersonSealedAtRest(t *testing.T, e *personEnv) {
	marker := "Q" + strings.ToUpper(vaultRandomHex())
	cw := actorOf(e.owner, flare.RoleCaseworker)
	c := newCase(e.owner.ID, "P-CR1")
	c.Title = "CONTROL" + marker
	mustCase(t, e.db, cw, c)
	p := PersonFixture(c.ID, marker)
	e.create(t, cw, p)
	if _, err := e.persons.Person(cw, p.ID); err != nil {
		t.Fatal(err)
	}
	markers := []string{p.FirstName, p.SecondName, p.Contact.Email, p.Contact.MailingStreet, p.IdentityDocuments[0].Number}
	env := &vaultEnv{dbURL: e.dbURL, db: e.db, raw: openVaultRaw(t, e.db.Backend(), e.dbURL), keys: e.keys,
		keyFile: filepath.Join(t.TempDir(), "unused")}
	for name, dump := range env.dumps(t) {
		if !containsMarker(dump, c.Title) {
			t.Fatalf("%s: the plaintext control is not found: the search is blind", name)
		}
		for _, m := range markers {
			if containsMarker(dump, m) || containsMarker(dump, strings.ToLower(m)) {
				t.Errorf("%s holds %q in plaintext", name, m)
			}
		}
	}
}
