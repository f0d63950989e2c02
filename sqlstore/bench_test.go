package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/flare-ilo/flare"
	"github.com/flare-ilo/flare/internal/latency"
	"github.com/flare-ilo/flare/sqlstore"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// BenchmarkCaseRead reads random cases by id through the case service, with
// its policy check, from parallel goroutines, on each backend; 1,000 cases
// are stored first.
func BenchmarkCaseRead(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend)
			agency := &flare.Agency{Name: "Bench Inspectorate", Kind: flare.AgencyLabourInspectorate}
			if err := sqlstore.NewAgencyService(db).CreateAgency(context.Background(), agency); err != nil {
				b.Fatal(err)
			}
			ctx := flare.WithActor(context.Background(), flare.Actor{UserID: "0193c000-0000-7000-8000-0000000000be", AgencyID: agency.ID, Roles: []string{"inspector"}})
			svc := sqlstore.NewCaseService(db)
			ids := make([]string, 1000)
			for i := range ids {
				c := &flare.Case{AgencyID: agency.ID, Reference: fmt.Sprintf("B-%05d", i), Title: "Bench case",
					Status: flare.CaseOpen, OpenedOn: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
				if err := svc.CreateCase(ctx, c); err != nil {
					b.Fatal(err)
				}
				ids[i] = c.ID
			}
			var rec latency.Recorder
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(rand.Uint64(), 1))
				var local []time.Duration
				for pb.Next() {
					start := time.Now()
					if _, err := svc.Case(ctx, ids[rng.IntN(len(ids))]); err != nil {
						b.Error(err)
						return
					}
					local = append(local, time.Since(start))
				}
				rec.Add(local)
			})
			b.StopTimer()
			rec.Report(b)
		})
	}
}
