package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
	"github.com/flare-ilo/flare/vault"
)

// TestPersonExport: "flare person export ID" prints every field held on a
// seeded person, compared with the fixture field by field, with the grants
// covering them and an audit summary (security checklist R-DP2), on both
// databases.
func TestPersonExport(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		keyFile := filepath.Join(t.TempDir(), vault.DefaultFileName)
		store, err := sqlstore.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if _, err := store.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		v, _, err := vault.OpenOrCreate(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		console := flare.WithActor(ctx, flare.Actor{Console: true})
		owner := &flare.Agency{Name: "Inspectorate", Kind: flare.AgencyLabourInspectorate}
		police := &flare.Agency{Name: "Police", Kind: flare.AgencyPolice}
		for _, a := range []*flare.Agency{owner, police} {
			if err := sqlstore.NewAgencyService(store).CreateAgency(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		c := &flare.Case{AgencyID: owner.ID, Reference: "SAR-1", Title: "Fishing vessel", Status: flare.CaseOpen, OpenedOn: time.Now()}
		if err := sqlstore.NewCaseService(store).CreateCase(console, c); err != nil {
			t.Fatal(err)
		}
		persons := sqlstore.NewPersonService(store, sqlstore.NewKeyStore(store, v))
		p := storetest.PersonFixture(c.ID, "SAR")
		if err := persons.CreatePerson(console, p); err != nil {
			t.Fatal(err)
		}
		g := &flare.CaseGrant{CaseID: c.ID, AgencyID: police.ID, Access: flare.GrantRead, Basis: flare.BasisCourtOrder,
			Reference: "Order 55/2026", PersonIDs: []string{p.ID}, FieldGroups: []flare.FieldGroup{flare.FieldGroupProfile}}
		if err := sqlstore.NewGrantService(store).ShareCase(console, g); err != nil {
			t.Fatal(err)
		}
		reader := flare.WithActor(ctx, flare.Actor{UserID: "u1", AgencyID: police.ID, Roles: []string{"investigator"}})
		if _, err := persons.Person(reader, p.ID); err != nil {
			t.Fatal(err)
		}
		dbArgs := []string{"--data", filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:"))}
		if strings.HasPrefix(dbURL, "postgres") {
			dbArgs = []string{"--database", dbURL}
		}
		args := append([]string{"person", "export", p.ID, "--key-file", keyFile}, dbArgs...)
		out, errOut, code := runCLI(t, "", nil, args...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var x flare.PersonExport
		if err := json.Unmarshal([]byte(out), &x); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		storetest.CheckPersonExport(t, &x, storetest.PersonFixture(c.ID, "SAR"))
		if x.Case == nil || x.Case.ID != c.ID || len(x.Grants) != 1 || x.Grants[0].AgencyID != police.ID ||
			len(x.Grants[0].FieldGroups) != 1 {
			t.Errorf("case and grants = %+v %+v", x.Case, x.Grants)
		}
		var reads int
		for _, l := range x.AuditSummary {
			if l.AgencyID == police.ID && l.Action == "read" {
				reads = l.Count
			}
		}
		if reads != 1 {
			t.Errorf("audit summary %+v: police reads %d, want 1", x.AuditSummary, reads)
		}
		text, _, code := runCLI(t, "", nil, append(args, "--format", "text")...)
		if code != 0 || !strings.Contains(text, "AminaSARfirst") || !strings.Contains(text, "court_order") {
			t.Errorf("text export = %d\n%s", code, text)
		}
		if _, errOut, code := runCLI(t, "", nil, append(args, "--format", "xml")...); code != 2 || !strings.Contains(errOut, "format") {
			t.Errorf("bad format: exit %d %s", code, errOut)
		}
		missing := append([]string{"person", "export", "0193a000-0000-7000-8000-000000000000", "--key-file", keyFile}, dbArgs...)
		if _, _, code := runCLI(t, "", nil, missing...); code != 3 {
			t.Errorf("unknown person: exit %d, want 3", code)
		}
		if _, _, code := runCLI(t, "", nil, "person", "export"); code != 2 {
			t.Errorf("no id: exit %d, want 2", code)
		}
	})
}

// TestPersonErase: "flare person erase" refuses bad input with exit 2, a
// person under a legal hold with exit 1 and the hold's reason, and erases
// once the proceeding is closed (security checklist R-DP3), on both
// databases.
func TestPersonErase(t *testing.T) {
	storetest.ForEachBackend(t, func(t *testing.T, dbURL string) {
		ctx := context.Background()
		keyFile := filepath.Join(t.TempDir(), vault.DefaultFileName)
		store, err := sqlstore.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		if _, err := store.Migrate(ctx, nil); err != nil {
			t.Fatal(err)
		}
		v, _, err := vault.OpenOrCreate(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		console := flare.WithActor(ctx, flare.Actor{Console: true})
		owner := &flare.Agency{Name: "Inspectorate", Kind: flare.AgencyLabourInspectorate}
		if err := sqlstore.NewAgencyService(store).CreateAgency(ctx, owner); err != nil {
			t.Fatal(err)
		}
		c := &flare.Case{AgencyID: owner.ID, Reference: "ERA-1", Title: "Fishing vessel", Status: flare.CaseOpen, OpenedOn: time.Now()}
		if err := sqlstore.NewCaseService(store).CreateCase(console, c); err != nil {
			t.Fatal(err)
		}
		keys := sqlstore.NewKeyStore(store, v)
		persons := sqlstore.NewPersonService(store, keys)
		p := storetest.PersonFixture(c.ID, "CLI")
		if err := persons.CreatePerson(console, p); err != nil {
			t.Fatal(err)
		}
		proceedings := sqlstore.NewProceedingService(store, keys)
		pr := &flare.Proceeding{CaseID: c.ID, Kind: flare.ProceedingCriminal, Reference: "CR-9/2026",
			OpenedOn: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)}
		if err := proceedings.CreateProceeding(console, pr); err != nil {
			t.Fatal(err)
		}
		dbArgs := []string{"--data", filepath.Dir(strings.TrimPrefix(dbURL, "sqlite:"))}
		if strings.HasPrefix(dbURL, "postgres") {
			dbArgs = []string{"--database", dbURL}
		}
		erase := func(args ...string) (string, string, int) {
			return runCLI(t, "", nil, append(append([]string{"person", "erase", "--key-file", keyFile}, args...), dbArgs...)...)
		}
		if _, errOut, code := erase("--reason", "Request"); code != 2 || !strings.Contains(errOut, "id") {
			t.Errorf("no id: exit %d %s", code, errOut)
		}
		if _, errOut, code := erase("--id", p.ID); code != 2 || !strings.Contains(errOut, "reason") {
			t.Errorf("no reason: exit %d %s", code, errOut)
		}
		_, errOut, code := erase("--id", p.ID, "--reason", "Request of the person, 2026-05-02")
		if code != 1 || !strings.Contains(errOut, "criminal proceeding CR-9/2026 open since 2026-03-14") {
			t.Fatalf("under hold: exit %d %s", code, errOut)
		}
		closed, outcome := flare.StageClosed, flare.OutcomeWithdrawn
		if _, err := proceedings.UpdateProceeding(console, pr.ID, flare.ProceedingUpdate{Version: 1, Stage: &closed, Outcome: &outcome}); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := erase("--id", p.ID, "--reason", "Request of the person, 2026-05-02")
		if code != 0 || !strings.Contains(out, p.ID) {
			t.Fatalf("erase: exit %d %s %s", code, out, errOut)
		}
		got, err := persons.Person(console, p.ID)
		if err != nil || got.IdentityWithheld != flare.IdentityErased {
			t.Fatalf("after erase: %+v, %v", got, err)
		}
		entries, err := store.AuditEntries(ctx, sqlstore.AuditFilter{RecordType: "person", RecordID: p.ID, Action: "delete", Limit: 10})
		if err != nil || len(entries) != 2 {
			t.Fatalf("erasures audited: %d, %v; want the refusal and the erasure", len(entries), err)
		}
	})
}
