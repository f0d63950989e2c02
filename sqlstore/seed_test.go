package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
	"github.com/flare-ilo/flare/internal/latency"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

var seedToday = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

// seedCases lists every case as the console sees it, oldest reference
// first, in a form two runs can compare.
func seedCases(t *testing.T, db *sqlstore.DB, keys *sqlstore.KeyStore) []string {
	t.Helper()
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	cs, err := sqlstore.NewCaseService(db).WithKeys(keys).Cases(ctx, flare.CaseFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		closed := ""
		if c.ClosedOn != nil {
			closed = c.ClosedOn.Format(time.DateOnly)
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s", c.Reference, c.Title, c.Region, c.Status,
			c.OpenedOn.Format(time.DateOnly), closed, c.ClosureReason))
	}
	return out
}

// TestSeed seeds a small database on each backend and checks what it
// holds: the counts, one audit entry per record, valid cases in every
// status, the same cases for the same seed, and more cases on a second run.
func TestSeed(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) { testSeed(t, backend) })
	}
}

// openSeedDB opens and migrates a fresh database on backend, with a raw
// connection to it for the checks by SQL.
func openSeedDB(t *testing.T, backend string) (*sqlstore.DB, *sql.DB) {
	t.Helper()
	url := storetest.NewURL(t, backend)
	db, err := sqlstore.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return db, storetest.RawDB(t, url)
}

func testSeed(t *testing.T, backend string) {
	{
		ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
		db, raw := openSeedDB(t, backend)
		db.SetClock(func() time.Time { return seedToday.Add(9 * time.Hour) })
		keys := storetest.Keys(t, db)
		var progress []int
		opts := sqlstore.SeedOptions{Cases: 30, PeoplePerCase: 3, Seed: 7, BatchSize: 8, Today: seedToday,
			Progress: func(s sqlstore.SeedStats) { progress = append(progress, s.Cases) }}
		st, err := sqlstore.Seed(ctx, db, keys, opts)
		if err != nil {
			t.Fatal(err)
		}
		if st.Cases != 30 || st.People != 90 || st.Organisations < 30 || st.Worksites < 30 || st.Tasks == 0 ||
			st.Referrals == 0 || st.Grants == 0 || st.Grants >= st.Referrals || st.Services == 0 || st.Periods == 0 ||
			st.Inspections == 0 || st.Proceedings == 0 || fmt.Sprint(progress) != "[8 16 24 30]" {
			t.Fatalf("stats %+v, progress %v", st, progress)
		}
		// One audit entry per record: a share for a referral or a grant, a
		// creation for the others.
		for _, want := range []struct {
			action audit.Action
			n      int
		}{{audit.ActionCreate, st.Records() - st.Referrals - st.Grants}, {audit.ActionShare, st.Referrals + st.Grants}, {"", st.Records()}} {
			n, err := db.ExportAuditCSV(ctx, io.Discard, sqlstore.AuditFilter{Action: want.action})
			if err != nil {
				t.Fatalf("audit log after seeding: %v", err)
			}
			if n != int64(want.n) {
				t.Errorf("audit log holds %d entries of action %q, want %d (%+v)", n, want.action, want.n, st)
			}
		}
		t.Logf("seeded %+v", st)
		checkSeedCasework(t, ctx, db, raw, keys, st)
		cases := seedCases(t, db, keys)
		if len(cases) != 30 {
			t.Fatalf("%d cases listed, want 30", len(cases))
		}
		statuses := map[string]bool{}
		for _, c := range cases {
			statuses[strings.Split(c, "|")[3]] = true
		}
		if len(statuses) < 4 {
			t.Errorf("only statuses %v among 30 cases", statuses)
		}

		checkSeedSearch(t, ctx, db, keys)
		overdue, err := sqlstore.NewCaseService(db).Cases(ctx, flare.CaseFilter{OverdueTasks: true, Limit: 500})
		if err != nil || len(overdue) == 0 || len(overdue) == 30 {
			t.Errorf("%d of 30 cases with overdue tasks (%v), want some", len(overdue), err)
		}

		// Same seed, fresh database: the same cases, and the same records
		// in them.
		db2, raw2 := openSeedDB(t, backend)
		keys2 := storetest.Keys(t, db2)
		opts.Progress = nil
		st2, err := sqlstore.Seed(ctx, db2, keys2, opts)
		if err != nil {
			t.Fatal(err)
		}
		if again := seedCases(t, db2, keys2); strings.Join(again, "\n") != strings.Join(cases, "\n") {
			t.Errorf("same seed, different cases:\n%s\n---\n%s", strings.Join(cases[:3], "\n"), strings.Join(again[:3], "\n"))
		}
		st.Elapsed, st2.Elapsed = 0, 0
		if st2 != st {
			t.Errorf("same seed, different counts: %+v, then %+v", st, st2)
		}
		one, two := seedCasework(t, raw), seedCasework(t, raw2)
		for i := range one {
			if one[i] == "" {
				t.Errorf("no records in section %d of the comparison", i)
			}
			if one[i] != two[i] {
				t.Errorf("same seed, different records:\n%s\n---\n%s", one[i], two[i])
			}
		}

		// A second run on the same database adds cases.
		opts.Cases, opts.Seed = 5, 8
		if _, err := sqlstore.Seed(ctx, db, keys, opts); err != nil {
			t.Fatalf("second run: %v", err)
		}
		if n := len(seedCases(t, db, keys)); n != 35 {
			t.Errorf("%d cases after a second run, want 35", n)
		}
	}
}

// TestSeedCasework seeds cases of ten people, as "flare seed" does by
// default, and checks the records of issue #6 in them, extensions of
// protection periods and referrals withdrawn included.
func TestSeedCasework(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
			db, raw := openSeedDB(t, backend)
			db.SetClock(func() time.Time { return seedToday.Add(9 * time.Hour) })
			keys := storetest.Keys(t, db)
			st, err := sqlstore.Seed(ctx, db, keys, sqlstore.SeedOptions{Cases: 120, Seed: 11, Today: seedToday})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seeded %+v", st)
			if st.Extensions == 0 {
				t.Errorf("no protection period extended: %+v", st)
			}
			checkSeedCasework(t, ctx, db, raw, keys, st)
			var withdrawn int
			if err := raw.QueryRow(`SELECT COUNT(*) FROM referrals WHERE consent_withdrawn_at IS NOT NULL`).Scan(&withdrawn); err != nil || withdrawn == 0 {
				t.Errorf("%d referrals with consent withdrawn (%v), want some", withdrawn, err)
			}
		})
	}
}

// checkSeedSearch finds a seeded case again by a person's name (blind
// index), a word of its title (full-text index) and its worksite's sector,
// as the case list does.
func checkSeedSearch(t *testing.T, ctx context.Context, db *sqlstore.DB, keys *sqlstore.KeyStore) {
	t.Helper()
	cases := sqlstore.NewCaseService(db).WithKeys(keys)
	all, err := cases.Cases(ctx, flare.CaseFilter{Limit: 1})
	if err != nil || len(all) != 1 {
		t.Fatalf("list: %v %v", all, err)
	}
	c := all[0]
	people, err := sqlstore.NewPersonService(db, keys).CasePersons(ctx, c.ID)
	if err != nil || len(people) != 3 || people[0].PersonIdentity == nil {
		t.Fatalf("people of %s: %v %v", c.Reference, people, err)
	}
	sites, err := sqlstore.NewWorksiteService(db).Worksites(ctx, c.ID)
	if err != nil || len(sites) == 0 || sites[0].ISICSection == "" {
		t.Fatalf("worksites of %s: %v %v", c.Reference, sites, err)
	}
	for _, f := range []flare.CaseFilter{
		{Name: people[0].FullName()},
		{Text: strings.Fields(c.Title)[0]},
		{Sector: sites[0].ISICSection},
	} {
		f.Limit = 500
		found, err := cases.Cases(ctx, f)
		if err != nil {
			t.Fatalf("search %+v: %v", f, err)
		}
		if !slices.ContainsFunc(found, func(x *flare.Case) bool { return x.ID == c.ID }) {
			t.Errorf("search %+v does not find %s (%q)", f, c.Reference, c.Title)
		}
	}
}

// TestSeedRefusesBadOptions checks the bounds of SeedOptions and that a
// refused run writes nothing.
func TestSeedRefusesBadOptions(t *testing.T) {
	db := storetest.Open(t, "sqlite")
	keys := storetest.Keys(t, db)
	ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
	for _, tc := range []struct {
		opts  sqlstore.SeedOptions
		field string
	}{
		{sqlstore.SeedOptions{}, "cases"},
		{sqlstore.SeedOptions{Cases: -1}, "cases"},
		{sqlstore.SeedOptions{Cases: 1, PeoplePerCase: -2}, "people_per_case"},
		{sqlstore.SeedOptions{Cases: 1, PeoplePerCase: 1000}, "people_per_case"},
		{sqlstore.SeedOptions{Cases: 1, Agencies: 99}, "agencies"},
		{sqlstore.SeedOptions{Cases: 1, BatchSize: -1}, "batch_size"},
	} {
		_, err := sqlstore.Seed(ctx, db, keys, tc.opts)
		var fe *flare.Error
		if flare.ErrorCodeOf(err) != flare.EINVALID || !errors.As(err, &fe) || fe.Fields[tc.field] == "" {
			t.Errorf("Seed(%+v) = %v, want invalid %s", tc.opts, err, tc.field)
		}
	}
	if _, err := sqlstore.Seed(context.Background(), db, keys, sqlstore.SeedOptions{Cases: 1}); flare.ErrorCodeOf(err) != flare.EUNAUTHORIZED {
		t.Errorf("Seed without an actor = %v", err)
	}
	if n := len(seedCases(t, db, keys)); n != 0 {
		t.Errorf("refused runs wrote %d cases", n)
	}
}

// BenchmarkSeed measures the seeding rate: b.N cases of 10 people each.
func BenchmarkSeed(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend)
			keys := storetest.Keys(b, db)
			ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
			b.ResetTimer()
			st, err := sqlstore.Seed(ctx, db, keys, sqlstore.SeedOptions{Cases: b.N, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(st.Records())/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(st.People)/b.Elapsed().Seconds(), "people/s")
		})
	}
}

// BenchmarkCasework measures the store calls behind the case list, the
// case page and the two searches on a small seeded database (50 cases of
// 10 people), as an inspector of the agency owning most cases; it runs in
// CI. The same calls at 100,000 cases are measured through HTTP by
// TestCaseworkAtScale in package http, against a database "flare seed"
// filled (docs/benchmarks.md).
func BenchmarkCasework(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend)
			keys := storetest.Keys(b, db)
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			if _, err := sqlstore.Seed(console, db, keys, sqlstore.SeedOptions{Cases: 50, Seed: 5}); err != nil {
				b.Fatal(err)
			}
			agency, err := sqlstore.NewAgencyService(db).AgencyByName(console, "National Labour Inspectorate")
			if err != nil {
				b.Fatal(err)
			}
			ctx := flare.WithActor(context.Background(), flare.Actor{UserID: "0193c000-0000-7000-8000-0000000000be",
				AgencyID: agency.ID, Roles: []string{string(flare.RoleInspector)}})
			cases := sqlstore.NewCaseService(db).WithKeys(keys)
			persons := sqlstore.NewPersonService(db, keys)
			own, err := cases.Cases(ctx, flare.CaseFilter{})
			if err != nil || len(own) == 0 {
				b.Fatalf("own cases: %d %v", len(own), err)
			}
			people, err := persons.CasePersons(console, own[0].ID)
			if err != nil || len(people) == 0 {
				b.Fatalf("people: %v", err)
			}
			name := people[0].PersonIdentity.SecondName
			calls := []struct {
				name string
				fn   func(i int) error
			}{
				{"list", func(int) error { _, err := cases.Cases(ctx, flare.CaseFilter{}); return err }},
				{"case", func(i int) error {
					id := own[i%len(own)].ID
					if _, err := cases.Case(ctx, id); err != nil {
						return err
					}
					_, err := persons.CasePersons(ctx, id)
					return err
				}},
				{"text", func(int) error { _, err := cases.Cases(ctx, flare.CaseFilter{Text: "kiln"}); return err }},
				{"name", func(int) error { _, err := cases.Cases(ctx, flare.CaseFilter{Name: name}); return err }},
			}
			for _, c := range calls {
				b.Run(c.name, func(b *testing.B) {
					var rec latency.Recorder
					local := make([]time.Duration, 0, b.N)
					for i := 0; b.Loop(); i++ {
						start := time.Now()
						if err := c.fn(i); err != nil {
							b.Fatal(err)
						}
						local = append(local, time.Since(start))
					}
					rec.Add(local)
					rec.Report(b)
				})
			}
		})
	}
}

// seedInvariants are the rules of issue #6 a seeded database keeps, each
// as a query counting the rows that break it.
var seedInvariants = []struct{ name, query string }{
	{"an accepted referral has exactly one grant, with referral_id set and grant_id pointing to it",
		`SELECT COUNT(*) FROM referrals r WHERE r.status = 'accepted' AND (r.grant_id IS NULL
			OR (SELECT COUNT(*) FROM case_grants g WHERE g.referral_id = r.id) <> 1
			OR NOT EXISTS (SELECT 1 FROM case_grants g WHERE g.id = r.grant_id AND g.referral_id = r.id
				AND g.case_id = r.case_id AND g.agency_id = r.to_agency_id AND g.legal_basis = r.legal_basis))`},
	{"a referral not accepted has no grant",
		`SELECT COUNT(*) FROM referrals r WHERE r.status <> 'accepted'
			AND (r.grant_id IS NOT NULL OR EXISTS (SELECT 1 FROM case_grants g WHERE g.referral_id = r.id))`},
	{"a referral goes from the case's agency to another one",
		`SELECT COUNT(*) FROM referrals r WHERE r.to_agency_id = r.from_agency_id
			OR r.from_agency_id <> (SELECT agency_id FROM cases c WHERE c.id = r.case_id)`},
	{"a consent basis has its date, language, scope, expiry and person; no other basis has them",
		`SELECT COUNT(*) FROM referrals WHERE (legal_basis = 'consent' AND (consent_given_on IS NULL OR consent_language = ''
			OR consent_scope = '' OR expires_on IS NULL OR expires_on < consent_given_on OR consent_person_id IS NULL))
			OR (legal_basis <> 'consent' AND (consent_given_on IS NOT NULL OR consent_language <> '' OR consent_scope <> ''
			OR consent_person_id IS NOT NULL OR consent_withdrawn_at IS NOT NULL)) OR legal_basis NOT IN ('law', 'court_order', 'consent')
			OR reference = ''`},
	{"the consenting person and the people shared are of the case",
		`SELECT COUNT(*) FROM referrals r WHERE r.consent_person_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = r.consent_person_id AND p.case_id = r.case_id)`},
	{"an answer is dated exactly when the referral is accepted or declined, a declined one says why",
		`SELECT COUNT(*) FROM referrals WHERE (status IN ('accepted', 'declined')) <> (decided_at IS NOT NULL)
			OR (status = 'declined') <> (decline_reason <> '') OR status NOT IN ('sent', 'accepted', 'declined', 'withdrawn')
			OR (status = 'withdrawn' AND consent_withdrawn_at IS NULL)`},
	{"a grant whose consent was withdrawn is revoked",
		`SELECT COUNT(*) FROM case_grants WHERE consent_withdrawn_at IS NOT NULL AND revoked_at IS NULL`},
	{"services and periods are of presumed victims of their case",
		`SELECT (SELECT COUNT(*) FROM protection_services s JOIN persons p ON p.id = s.person_id
			WHERE p.role <> 'presumed_victim' OR p.case_id <> s.case_id OR (s.ended_on IS NOT NULL AND s.ended_on < s.started_on))
		+ (SELECT COUNT(*) FROM protection_periods s JOIN persons p ON p.id = s.person_id
			WHERE p.role <> 'presumed_victim' OR p.case_id <> s.case_id)`},
	{"a period ends on its last extension's end, its version counting the extensions",
		`SELECT COUNT(*) FROM protection_periods p WHERE p.ends_on < p.initial_ends_on OR p.initial_ends_on < p.starts_on
			OR p.version <> 1 + (SELECT COUNT(*) FROM protection_extensions e WHERE e.period_id = p.id)
			OR p.ends_on <> COALESCE((SELECT MAX(e.ends_on) FROM protection_extensions e WHERE e.period_id = p.id), p.initial_ends_on)`},
	{"an inspection visits a worksite of its case",
		`SELECT COUNT(*) FROM inspections i WHERE NOT EXISTS (SELECT 1 FROM worksites w WHERE w.id = i.worksite_id AND w.case_id = i.case_id)`},
	{"a proceeding is closed exactly when closed_on is set, with an outcome, after it opened",
		`SELECT COUNT(*) FROM proceedings WHERE (stage = 'closed') <> (closed_on IS NOT NULL)
			OR (stage = 'closed' AND outcome = '') OR closed_on < opened_on`},
	{"a proceeding is against people and organisations of its case",
		`SELECT (SELECT COUNT(*) FROM proceeding_persons pp JOIN proceedings p ON p.id = pp.proceeding_id JOIN persons x ON x.id = pp.person_id
			WHERE x.case_id <> p.case_id OR x.role <> 'suspected_perpetrator')
		+ (SELECT COUNT(*) FROM proceeding_organisations po JOIN proceedings p ON p.id = po.proceeding_id
			JOIN organisations o ON o.id = po.organisation_id WHERE o.case_id <> p.case_id)`},
	{"every proceeding is against someone",
		`SELECT COUNT(*) FROM proceedings p WHERE NOT EXISTS (SELECT 1 FROM proceeding_persons x WHERE x.proceeding_id = p.id)
			AND NOT EXISTS (SELECT 1 FROM proceeding_organisations x WHERE x.proceeding_id = p.id)`},
	{"a closed case has no proceeding still running",
		`SELECT COUNT(*) FROM proceedings p JOIN cases c ON c.id = p.case_id WHERE c.status = 'closed' AND p.stage <> 'closed'`},
	{"inspections and proceedings each have their data key",
		`SELECT (SELECT COUNT(*) FROM inspections i WHERE NOT EXISTS (SELECT 1 FROM data_keys k WHERE k.owner_type = 'inspection' AND k.owner_id = CAST(i.id AS TEXT)))
		+ (SELECT COUNT(*) FROM proceedings i WHERE NOT EXISTS (SELECT 1 FROM data_keys k WHERE k.owner_type = 'proceeding' AND k.owner_id = CAST(i.id AS TEXT)))`},
}

// checkSeedCasework checks the records of issue #6 in a seeded database:
// the invariants by SQL, the shares of referral statuses and legal bases,
// and that every record reads back through its service, sealed text
// opened.
func checkSeedCasework(t *testing.T, ctx context.Context, db *sqlstore.DB, raw *sql.DB, keys *sqlstore.KeyStore, st sqlstore.SeedStats) {
	t.Helper()
	for _, inv := range seedInvariants {
		var n int
		if err := raw.QueryRow(inv.query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", inv.name, err)
		}
		if n != 0 {
			t.Errorf("%d rows break the rule: %s", n, inv.name)
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM referrals`); n != st.Referrals {
		t.Errorf("%d referrals, stats say %d", n, st.Referrals)
	}
	if n := count(`SELECT COUNT(*) FROM case_grants WHERE referral_id IS NOT NULL`); n != st.Grants {
		t.Errorf("%d grants, stats say %d", n, st.Grants)
	}
	if n := count(`SELECT COUNT(DISTINCT status) FROM referrals`); n < 3 {
		t.Errorf("referrals in %d statuses only", n)
	}
	if n := count(`SELECT COUNT(DISTINCT legal_basis) FROM referrals`); n != 3 {
		t.Errorf("referrals on %d legal bases, want law, court order and consent", n)
	}
	if n := count(`SELECT COUNT(*) FROM protection_extensions`); n != st.Extensions {
		t.Errorf("%d extensions, stats say %d", n, st.Extensions)
	}

	// Every agency's referral list, as its staff see it.
	refs := sqlstore.NewReferralService(db)
	agencies, err := sqlstore.NewAgencyService(db).Agencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	listed, overdue := 0, 0
	for _, a := range agencies {
		staff := flare.WithActor(context.Background(), flare.Actor{UserID: "0193c000-0000-7000-8000-0000000000be",
			AgencyID: a.ID, Roles: []string{string(flare.RoleInspector)}})
		list, err := refs.Referrals(staff)
		if err != nil {
			t.Fatalf("referrals of %s: %v", a.Name, err)
		}
		for _, r := range list {
			if r.FromAgencyID == a.ID {
				listed++ // each referral counted once, at its sender
			}
			if r.Overdue {
				overdue++
			}
			if (r.Status == flare.ReferralAccepted) != (r.GrantID != "") || r.CaseReference == "" || r.SentBy == "" {
				t.Errorf("referral %+v", r)
			}
		}
	}
	if listed != st.Referrals || overdue == 0 {
		t.Errorf("the agencies list %d referrals (%d overdue), seeded %d", listed, overdue, st.Referrals)
	}

	// The cases' own lists, through each service.
	caseIDs := func(q string) []string {
		t.Helper()
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			out = append(out, id)
		}
		return out
	}
	grants := sqlstore.NewGrantService(db)
	n := 0
	for _, id := range caseIDs(`SELECT DISTINCT case_id FROM referrals`) {
		list, err := refs.CaseReferrals(ctx, id)
		if err != nil {
			t.Fatalf("referrals of case %s: %v", id, err)
		}
		n += len(list)
		gs, err := grants.CaseGrants(ctx, id)
		if err != nil {
			t.Fatalf("grants of case %s: %v", id, err)
		}
		for _, g := range gs {
			if err := g.Validate(); err != nil || g.ReferralID == "" {
				t.Errorf("grant %+v: %v", g, err)
			}
		}
	}
	if n != st.Referrals {
		t.Errorf("the cases list %d referrals, seeded %d", n, st.Referrals)
	}
	protection := sqlstore.NewProtectionService(db, keys, flare.DefaultProtectionConfig())
	services, periods, extensions := 0, 0, 0
	for _, id := range caseIDs(`SELECT person_id FROM protection_services UNION SELECT person_id FROM protection_periods`) {
		list, err := protection.PersonServices(ctx, id)
		if err != nil {
			t.Fatalf("services of person %s: %v", id, err)
		}
		for _, s := range list {
			if err := s.Validate(); err != nil || (s.EndedOn != nil && s.Outcome == "") {
				t.Errorf("service %+v: %v", s, err)
			}
		}
		services += len(list)
		ps, err := protection.PersonPeriods(ctx, id)
		if err != nil {
			t.Fatalf("periods of person %s: %v", id, err)
		}
		for _, p := range ps {
			for _, e := range p.Extensions {
				if e.Reason == "" || e.ExtendedBy == "" {
					t.Errorf("extension %+v", e)
				}
			}
			if p.Kind == flare.PeriodResidence && p.Reference == "" {
				t.Errorf("residence permit without its number: %+v", p)
			}
			extensions += len(p.Extensions)
		}
		periods += len(ps)
	}
	if services != st.Services || periods != st.Periods || extensions != st.Extensions {
		t.Errorf("read %d services, %d periods, %d extensions; seeded %+v", services, periods, extensions, st)
	}
	inspections, proceedings := sqlstore.NewInspectionService(db, keys), sqlstore.NewProceedingService(db, keys)
	n = 0
	for _, id := range caseIDs(`SELECT DISTINCT case_id FROM inspections`) {
		list, err := inspections.Inspections(ctx, id)
		if err != nil {
			t.Fatalf("inspections of case %s: %v", id, err)
		}
		for _, in := range list {
			if !strings.Contains(in.Findings, "workers on site") || len(in.InspectorNames) == 0 {
				t.Errorf("inspection %+v", in)
			}
		}
		n += len(list)
	}
	if n != st.Inspections {
		t.Errorf("read %d inspections, seeded %d", n, st.Inspections)
	}
	n = 0
	for _, id := range caseIDs(`SELECT DISTINCT case_id FROM proceedings`) {
		list, err := proceedings.Proceedings(ctx, id)
		if err != nil {
			t.Fatalf("proceedings of case %s: %v", id, err)
		}
		for _, p := range list {
			if err := p.Validate(); err != nil {
				t.Errorf("proceeding %+v: %v", p, err)
			}
		}
		n += len(list)
	}
	if n != st.Proceedings {
		t.Errorf("read %d proceedings, seeded %d", n, st.Proceedings)
	}
}

// seedCasework lists the records of issue #6 of a seeded database without
// their random ids, in a form two runs can compare.
func seedCasework(t *testing.T, raw *sql.DB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT c.reference, r.purpose, r.urgent, r.access, r.legal_basis, r.reference, r.consent_given_on, r.consent_language,
			r.consent_interpreter, r.expires_on, r.due_on, r.status, r.decline_reason, r.decided_at, r.created_at,
			(SELECT name FROM agencies a WHERE a.id = r.to_agency_id)
			FROM referrals r JOIN cases c ON c.id = r.case_id ORDER BY c.reference, r.created_at, r.purpose`,
		`SELECT c.reference, s.kind, s.provider, s.started_on, s.ended_on, s.recorded_at
			FROM protection_services s JOIN cases c ON c.id = s.case_id ORDER BY 1, 2, 3, 4, 5, 6`,
		`SELECT c.reference, p.kind, p.starts_on, p.ends_on, p.version FROM protection_periods p JOIN cases c ON c.id = p.case_id ORDER BY 1, 2, 3, 4, 5`,
		`SELECT c.reference, i.kind, i.visited_on, i.inspector_names, i.orders, i.workers_interviewed
			FROM inspections i JOIN cases c ON c.id = i.case_id ORDER BY 1, 2, 3, 4, 5, 6`,
		`SELECT c.reference, p.kind, p.stage, p.reference, p.opened_on, p.closed_on, p.outcome,
			(SELECT COUNT(*) FROM proceeding_penalties x WHERE x.proceeding_id = p.id),
			(SELECT COALESCE(SUM(amount), 0) FROM proceeding_penalties x WHERE x.proceeding_id = p.id)
			FROM proceedings p JOIN cases c ON c.id = p.case_id ORDER BY 1, 2, 3, 4`,
	} {
		rows, err := raw.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		var b strings.Builder
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			b.WriteString("\n")
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out = append(out, b.String())
	}
	return out
}
