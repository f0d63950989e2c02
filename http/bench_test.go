package http

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/flare-ilo/flare/internal/latency"
	"github.com/flare-ilo/flare/sqlstore/storetest"
)

// BenchmarkReadyz serves /readyz from a real server on loopback, backed by
// each database, and hits it from parallel keep-alive clients. The loop is
// bounded by b.N; run with -benchtime to choose the request count.
func BenchmarkReadyz(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			db := storetest.Open(b, backend)
			s := newBenchServer(b, db)
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Serve(ctx, ln) }()
			defer func() { cancel(); <-done }()
			url := "http://" + ln.Addr().String() + "/readyz"
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			var rec latency.Recorder
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var local []time.Duration
				for pb.Next() {
					start := time.Now()
					res, err := client.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != 200 {
						b.Errorf("status %d", res.StatusCode)
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
