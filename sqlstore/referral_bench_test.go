package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/internal/latency"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// BenchmarkReferralInbox lists an agency's referrals (the /referrals page
// and GET /api/v1/referrals) when the country has 20,000 referrals between
// three agencies, a third of them to or from the listing agency, on each
// backend. Each call reads up to 200 referrals and writes an audit entry
// for each, in one transaction.
func BenchmarkReferralInbox(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			url := storetest.NewURL(b, backend)
			db, err := sqlstore.Open(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(context.Background(), nil); err != nil {
				b.Fatal(err)
			}
			agencies := make([]*flare.Agency, 3)
			for i, kind := range []flare.AgencyKind{flare.AgencyLabourInspectorate, flare.AgencyPolice, flare.AgencyVictimServices} {
				agencies[i] = &flare.Agency{Name: fmt.Sprintf("Bench agency %d", i), Kind: kind}
				if err := sqlstore.NewAgencyService(db).CreateAgency(context.Background(), agencies[i]); err != nil {
					b.Fatal(err)
				}
			}
			console := flare.WithActor(context.Background(), flare.Actor{Console: true})
			cases := make([]*flare.Case, 300)
			for i := range cases {
				cases[i] = &flare.Case{AgencyID: agencies[i%3].ID, Reference: fmt.Sprintf("RB-%04d", i), Title: "Bench case",
					Status: flare.CaseOpen, OpenedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
				if err := sqlstore.NewCaseService(db).CreateCase(console, cases[i]); err != nil {
					b.Fatal(err)
				}
			}
			seedReferrals(b, url, agencies, cases, 20000)
			ctx := flare.WithActor(context.Background(), flare.Actor{UserID: "0193c000-0000-7000-8000-0000000000be",
				AgencyID: agencies[1].ID, Roles: []string{"investigator"}})
			svc := sqlstore.NewReferralService(db)
			var rec latency.Recorder
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				list, err := svc.Referrals(ctx)
				if err != nil || len(list) != 200 {
					b.Fatalf("%d referrals, %v", len(list), err)
				}
				rec.Add([]time.Duration{time.Since(start)})
			}
			b.StopTimer()
			rec.Report(b)
		})
	}
}

// seedReferrals writes n referrals straight into the table, each from a
// case's agency to the next agency, a tenth of them unanswered.
func seedReferrals(b *testing.B, url string, agencies []*flare.Agency, cases []*flare.Case, n int) {
	b.Helper()
	raw := storetest.RawDB(b, url)
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for i := range n {
		c := cases[i%len(cases)]
		from := i % len(cases) % 3
		status := "accepted"
		if i%10 == 0 {
			status = "sent"
		}
		_, err := tx.Exec(`INSERT INTO referrals (id, case_id, from_agency_id, to_agency_id, purpose, urgent, access,
			legal_basis, reference, due_on, status, sent_by, created_at)
			VALUES ($1, $2, $3, $4, 'Bench referral', $5, 'read', 'law', 'Act, art. 1', $6, $7, 'bench', $8)`,
			uuid.Must(uuid.NewV7()).String(), c.ID, agencies[from].ID, agencies[(from+1)%3].ID, i%7 == 0,
			now.AddDate(0, 0, i%30-15), status, now.Add(-time.Duration(i)*time.Minute))
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
