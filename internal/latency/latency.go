// Package latency collects request latencies in benchmarks and reports
// their percentiles next to the throughput that testing.B prints.
package latency

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// Recorder collects latencies from many goroutines.
type Recorder struct {
	mu      sync.Mutex
	samples []time.Duration
}

// Add records the latencies one goroutine measured.
func (r *Recorder) Add(samples []time.Duration) {
	r.mu.Lock()
	r.samples = append(r.samples, samples...)
	r.mu.Unlock()
}

// Percentile returns the p-th percentile (0 < p <= 100), nearest rank.
func (r *Recorder) Percentile(p float64) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.samples) == 0 {
		return 0
	}
	s := slices.Clone(r.samples)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.5) - 1
	rank = max(0, min(rank, len(s)-1))
	return s[rank]
}

// Report adds p50 and p99 in microseconds and requests per second to the
// benchmark's output.
func (r *Recorder) Report(b *testing.B) {
	b.ReportMetric(float64(r.Percentile(50).Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(r.Percentile(99).Nanoseconds())/1e3, "p99-µs")
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "req/s")
	}
}
