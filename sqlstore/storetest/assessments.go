package storetest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/screening"
	"github.com/flare-ilo/flare/sqlstore"
)

// MetScreening is an interview record that meets the ICLS 2018 adult rule:
// a job different from the one promised and the passport taken, in one
// episode, with marker in an evidence reference.
func MetScreening(marker string) screening.Input {
	age := 27.0
	on := screening.NewDate(2026, 2, 1)
	return screening.Input{Age: &age, Observations: []screening.Observation{
		{Episode: "job1", On: on, Indicator: screening.Deception, Perpetrator: screening.RoleRecruiter, Stage: screening.StageRecruitment,
			Evidence: &screening.Evidence{Kind: screening.EvidenceStatement, Ref: "interview " + marker}},
		{Episode: "job1", On: on, Indicator: screening.RetentionOfDocuments, Perpetrator: screening.RoleEmployer,
			Stage: screening.StageEmployment, Mode: screening.ModeExperienced},
	}}
}

// RunAssessments is the conformance suite of screenings stored on people
// (issue #7): stored with who and when, read back identical, re-screening
// keeps both, refused input stores nothing, access follows the person's,
// every read and write audited, and the answers sealed at rest.
func RunAssessments(t *testing.T, dbURL string) {
	e := newPersonEnv(t, dbURL)
	svc := sqlstore.NewAssessmentService(e.db, e.keys, screening.DefaultConfig())
	owner := actorOf(e.owner, flare.RoleInspector)
	p := e.create(t, owner, PersonFixture(e.c.ID, "Scr"))

	a := &flare.Assessment{PersonID: p.ID, Input: MetScreening("Zq7Marker"), Interpreter: "Swahili, Mr Otieno"}
	if err := svc.Screen(owner, a); err != nil {
		t.Fatalf("screen: %v", err)
	}
	if a.Result.Result != screening.Met || a.Rule != screening.LatestVersion || a.CaseID != e.c.ID ||
		a.AssessedBy == "" || a.AssessedAt.IsZero() || a.AgencyID != e.owner.ID {
		t.Fatalf("assessment = %+v", a)
	}
	got, err := svc.Assessment(owner, a.ID)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	diffJSON(t, "result", a.Result, got.Result)
	if got.Interpreter != a.Interpreter || len(got.Input.Observations) != 2 || got.Input.Observations[0].Evidence.Ref != "interview Zq7Marker" {
		t.Fatalf("read back = %+v", got)
	}

	// Re-screening keeps both.
	second := &flare.Assessment{PersonID: p.ID, Input: screening.Input{}}
	if err := svc.Screen(owner, second); err != nil {
		t.Fatal(err)
	}
	list, err := svc.PersonAssessments(owner, p.ID)
	if err != nil || len(list) != 2 || list[1].ID != a.ID && list[0].ID != a.ID {
		t.Fatalf("history = %d, %v", len(list), err)
	}

	// The elements are queryable codes.
	var n int
	if err := RawDB(t, e.dbURL).QueryRow(`SELECT COUNT(*) FROM assessment_elements WHERE assessment_id = $1 AND element IN ('I2', 'C5')`, a.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("elements stored = %d, %v; want I2 and C5", n, err)
	}

	// A refused input names the field and stores nothing.
	bad := MetScreening("x")
	bad.Observations[1].Stage = "later"
	before := countRows(t, RawDB(t, e.dbURL), "assessments")
	err = svc.Screen(owner, &flare.Assessment{PersonID: p.ID, Input: bad})
	if flare.ErrorCodeOf(err) != flare.EINVALID || !strings.Contains(flare.ErrorMessageOf(err), "observations[1].stage") {
		t.Fatalf("bad input: %v", err)
	}
	if err := svc.Screen(owner, &flare.Assessment{PersonID: p.ID, Rule: "ICLS-1999"}); flare.ErrorCodeOf(err) != flare.EINVALID {
		t.Fatalf("unknown rule set: %v", err)
	}
	if countRows(t, RawDB(t, e.dbURL), "assessments") != before {
		t.Fatal("a refused screening stored a row")
	}

	// Another agency without a grant: not found, and audited as a denial.
	police := actorOf(e.other, flare.RoleInvestigator)
	if _, err := svc.Assessment(police, a.ID); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police read: %v", err)
	}
	if err := svc.Screen(police, &flare.Assessment{PersonID: p.ID}); flare.ErrorCodeOf(err) != flare.ENOTFOUND {
		t.Fatalf("police screen: %v", err)
	}
	if _, err := svc.PersonAssessments(actorOf(e.owner, flare.RoleAnalyst), p.ID); flare.ErrorCodeOf(err) != flare.EFORBIDDEN {
		t.Fatalf("analyst list: %v", err)
	}
	entries, err := e.db.AuditEntries(context.Background(), sqlstore.AuditFilter{CaseID: e.c.ID, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, en := range entries {
		if en.RecordType == "assessment" {
			counts[string(en.Action)+"/"+string(en.Outcome)]++
		}
	}
	if counts["create/ok"] != 2 || counts["read/ok"] != 3 || counts["read/denied"] != 2 || counts["create/denied"] != 1 {
		t.Fatalf("audit of assessments = %v", counts)
	}

	// Sealed at rest: neither the evidence reference nor the interpreter
	// is readable in the database file, its WAL or a dump; the rule set
	// name, stored in plaintext, is the control that the search sees.
	env := &vaultEnv{dbURL: e.dbURL, db: e.db, raw: openVaultRaw(t, e.db.Backend(), e.dbURL), keys: e.keys,
		keyFile: filepath.Join(t.TempDir(), "unused")}
	for name, dump := range env.dumps(t) {
		if !containsMarker(dump, screening.LatestVersion) {
			t.Fatalf("%s: the plaintext control is not found: the search is blind", name)
		}
		for _, m := range []string{"Zq7Marker", "Otieno"} {
			if containsMarker(dump, m) {
				t.Errorf("%s holds %q in plaintext", name, m)
			}
		}
	}
}
