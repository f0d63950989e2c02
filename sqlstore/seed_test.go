package sqlstore_test

import (
	"context"
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

func testSeed(t *testing.T, backend string) {
	{
		ctx := flare.WithActor(context.Background(), flare.Actor{Console: true})
		db := storetest.Open(t, backend)
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
			fmt.Sprint(progress) != "[8 16 24 30]" {
			t.Fatalf("stats %+v, progress %v", st, progress)
		}
		created, err := db.ExportAuditCSV(ctx, io.Discard, sqlstore.AuditFilter{Action: audit.ActionCreate})
		if err != nil {
			t.Fatalf("audit log after seeding: %v", err)
		}
		if created != int64(st.Records()) {
			t.Errorf("audit log holds %d creations for %d records (%+v)", created, st.Records(), st)
		}
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

		// Same seed, fresh database: the same cases.
		db2 := storetest.Open(t, backend)
		keys2 := storetest.Keys(t, db2)
		opts.Progress = nil
		if _, err := sqlstore.Seed(ctx, db2, keys2, opts); err != nil {
			t.Fatal(err)
		}
		if again := seedCases(t, db2, keys2); strings.Join(again, "\n") != strings.Join(cases, "\n") {
			t.Errorf("same seed, different cases:\n%s\n---\n%s", strings.Join(cases[:3], "\n"), strings.Join(again[:3], "\n"))
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
