package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/audit"
)

// SeedOptions says how much synthetic casework Seed writes.
type SeedOptions struct {
	// Cases is how many cases to create (at least 1).
	Cases int
	// PeoplePerCase is how many people each case gets (default 10).
	PeoplePerCase int
	// Seed makes the run repeatable: the same seed on the same database
	// state gives the same cases, names, dates and sectors.
	Seed int64
	// Agencies is how many of the synthetic agencies own the cases (1 to
	// 7, default 7); they are created when absent.
	Agencies int
	// BatchSize is how many cases one transaction writes (default 500).
	BatchSize int
	// Today anchors the dates (opened in the five years before it, tasks
	// due around it); default the database clock.
	Today time.Time
	// Progress, if set, is called after each committed batch.
	Progress func(SeedStats)
}

// SeedStats counts what Seed has written so far.
type SeedStats struct {
	Cases, People, Organisations, Worksites, Tasks int
	// The records of issue #6: referrals, the grants of the accepted ones,
	// services, protection periods and their extensions, inspections and
	// proceedings.
	Referrals, Grants, Services, Periods, Extensions, Inspections, Proceedings int
	// Elapsed is the time since Seed started.
	Elapsed time.Duration
}

// Records is the number of records written, cases and everything in them,
// each with its audit entry; the extensions of periods are part of their
// period.
func (s SeedStats) Records() int {
	return s.Cases + s.People + s.Organisations + s.Worksites + s.Tasks +
		s.Referrals + s.Grants + s.Services + s.Periods + s.Inspections + s.Proceedings
}

// add adds the counts of b (a committed batch) to s.
func (s *SeedStats) add(b SeedStats) {
	s.Cases += b.Cases
	s.People += b.People
	s.Organisations += b.Organisations
	s.Worksites += b.Worksites
	s.Tasks += b.Tasks
	s.Referrals += b.Referrals
	s.Grants += b.Grants
	s.Services += b.Services
	s.Periods += b.Periods
	s.Extensions += b.Extensions
	s.Inspections += b.Inspections
	s.Proceedings += b.Proceedings
}

// Limits of a seed run: large enough for the benchmarks of issue #5
// (100,000 cases, 1,000,000 people), small enough that a typo cannot fill
// a disk.
const (
	maxSeedCases         = 10_000_000
	maxSeedPeoplePerCase = 100
	defaultSeedBatch     = 500
)

// Seed fills db with realistic synthetic casework for demos and benchmarks
// (issue #5, "flare seed"): agencies of several kinds, cases with people
// named from many countries, organisations, worksites in the sectors where
// forced labour is common, and tasks, some overdue; and the records of
// issue #6: referrals between the agencies (some unanswered and overdue,
// some urgent; on the law, a court order or the person's consent; each
// accepted one with its grant), services and protection periods of
// presumed victims (some extended), inspections of the cases' worksites,
// and administrative, criminal and civil proceedings with their outcomes
// and penalties. Every record goes through the same writes as the
// services: sealed fields under the data key the service uses (the
// record's own, or the person's for services and periods), blind index
// and search index rows, and one audit entry per record, made by the
// actor in ctx (the console, for "flare seed"), which the records name as
// their recorder. One transaction writes a batch of cases, so an
// interrupted run leaves whole cases only.
func Seed(ctx context.Context, db *DB, keys *KeyStore, opts SeedOptions) (SeedStats, error) {
	start := time.Now()
	var st SeedStats
	if err := opts.normalise(db); err != nil {
		return st, err
	}
	if keys == nil {
		return st, errors.New("seed: no key store: people's fields are sealed")
	}
	if _, ok := flare.ActorFrom(ctx); !ok {
		return st, flare.Errorf(flare.EUNAUTHORIZED, "seed: no actor")
	}
	groups, err := loadNameGroups()
	if err != nil {
		return st, err
	}
	agencies, ids, err := seedEnsureAgencies(ctx, db, opts.Agencies)
	if err != nil {
		return st, err
	}
	// Numbering continues after the cases already there, so a second run
	// adds cases instead of colliding on references.
	var existing int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases`).Scan(&existing); err != nil {
		return st, fmt.Errorf("seed: count cases: %w", db.dialect.translate(err))
	}
	p := &seedPlanner{seed: opts.Seed, today: flare.DateOf(opts.Today), agencies: agencies, names: groups,
		local: groups[len(groups)-1], people: opts.PeoplePerCase}
	for _, g := range groups {
		if g.Name == "Local" {
			p.local = g
		}
	}
	w := &seedWriter{db: db, keys: keys, persons: NewPersonService(db, keys), agencyIDs: ids, stats: &st}
	for done := 0; done < opts.Cases; {
		n := min(opts.BatchSize, opts.Cases-done)
		plans := make([]seedCasePlan, n)
		for i := range plans {
			plans[i] = p.plan(done+i, existing+done+i+1)
		}
		batch := SeedStats{}
		w.stats = &batch
		if err := db.inTx(ctx, func(tx *sql.Tx) error {
			for i := range plans {
				if err := w.writeCase(ctx, tx, &plans[i]); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return st, fmt.Errorf("seed: batch of cases %d to %d: %w", done+1, done+n, err)
		}
		st.add(batch)
		done += n
		st.Elapsed = time.Since(start)
		if opts.Progress != nil {
			opts.Progress(st)
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// normalise fills the defaults of o and checks its bounds.
func (o *SeedOptions) normalise(db *DB) error {
	if o.PeoplePerCase == 0 {
		o.PeoplePerCase = 10
	}
	if o.Agencies == 0 {
		o.Agencies = len(seedAgencies)
	}
	if o.BatchSize == 0 {
		o.BatchSize = defaultSeedBatch
	}
	if o.Today.IsZero() {
		o.Today = db.now()
	}
	switch {
	case o.Cases < 1 || o.Cases > maxSeedCases:
		return flare.FieldError("cases", "must be between 1 and %d, got %d", maxSeedCases, o.Cases)
	case o.PeoplePerCase < 1 || o.PeoplePerCase > maxSeedPeoplePerCase:
		return flare.FieldError("people_per_case", "must be between 1 and %d, got %d", maxSeedPeoplePerCase, o.PeoplePerCase)
	case o.Agencies < 1 || o.Agencies > len(seedAgencies):
		return flare.FieldError("agencies", "must be between 1 and %d, got %d", len(seedAgencies), o.Agencies)
	case o.BatchSize < 1:
		return flare.FieldError("batch_size", "must be at least 1, got %d", o.BatchSize)
	}
	return nil
}

// seedEnsureAgencies returns the first n synthetic agencies and their ids,
// creating those that do not exist yet.
func seedEnsureAgencies(ctx context.Context, db *DB, n int) ([]seedAgency, []string, error) {
	svc := NewAgencyService(db)
	agencies := seedAgencies[:n]
	ids := make([]string, n)
	for i, a := range agencies {
		got, err := svc.AgencyByName(ctx, a.name)
		if flare.ErrorCodeOf(err) == flare.ENOTFOUND {
			got = &flare.Agency{Name: a.name, Kind: a.kind}
			err = svc.CreateAgency(ctx, got)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("seed: agency %q: %w", a.name, err)
		}
		ids[i] = got.ID
	}
	return agencies, ids, nil
}

// seedWriter writes planned cases through the services' insert functions.
type seedWriter struct {
	db        *DB
	keys      *KeyStore
	persons   *PersonService
	agencyIDs []string
	stats     *SeedStats
	// The ids of the people, organisations and worksites of the case being
	// written, in plan order.
	personIDs, orgIDs, siteIDs []string
}

// writeCase writes one planned case and everything in it in tx.
func (w *seedWriter) writeCase(ctx context.Context, tx *sql.Tx, p *seedCasePlan) error {
	c := &flare.Case{AgencyID: w.agencyIDs[p.agency], Reference: p.reference, Title: p.title, Status: p.status,
		OpenedOn: p.openedOn, ClosedOn: p.closedOn, ClosureReason: p.reason, Region: p.region}
	if err := c.Validate(); err != nil {
		return fmt.Errorf("case %s: %w", p.reference, err)
	}
	if err := w.insertCase(ctx, tx, c, p.createdAt); err != nil {
		return err
	}
	w.stats.Cases++
	return w.writeContents(ctx, tx, c, p)
}

// insertCase writes a case row as CaseService.CreateCase does, with its
// search entry and audit entry; created_at is the planned time on the day
// the case opened, so the case list orders seeded cases as real ones.
func (w *seedWriter) insertCase(ctx context.Context, tx *sql.Tx, c *flare.Case, createdAt time.Time) error {
	id, err := newID()
	if err != nil {
		return err
	}
	updated := createdAt
	if c.ClosedOn != nil {
		updated = c.ClosedOn.Add(createdAt.Sub(c.OpenedOn))
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cases (`+caseColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, c.AgencyID, c.Reference, c.Title, string(c.Status), c.OpenedOn, c.ClosedOn, 1, createdAt, updated,
		string(c.ClosureReason), c.Region, nullString(c.AssignedTo))
	if err != nil {
		return fmt.Errorf("insert case %s: %w", c.Reference, w.db.dialect.translate(err))
	}
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = id, 1, createdAt, updated
	if err := w.db.indexText(ctx, tx, "case", id, id, c.Title, c.Region); err != nil {
		return err
	}
	return w.db.record(ctx, tx, auditEvent{action: audit.ActionCreate, recordType: "case", recordID: id, caseID: id,
		fields: caseFieldsSet(c)})
}
