package chain_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
)

// bigArchive stores n events in batches of per on the file output.
func bigArchive(t testing.TB, n, per int) (store, chain.VerifyOptions) {
	t.Helper()
	ctx := context.Background()
	st, _ := openFileStore(t)
	b := chaintest.New(st, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1", Start: start})
	for i := 0; i < n; i += per {
		if _, err := b.Add(ctx, min(per, n-i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return st, chain.VerifyOptions{Output: "archive", MaxAge: time.Hour, Now: b.Last()}
}

func TestVerifyMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("stores and verifies 1,000,000 events")
	}
	n := 1_000_000
	if raceEnabled {
		n = 100_000
	}
	st, o := bigArchive(t, n, 10_000)
	runtime.GC()
	var (
		mu   sync.Mutex
		peak uint64
	)
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		mu.Lock()
		peak = max(peak, ms.HeapInuse)
		mu.Unlock()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	})
	o.Progress = func(int64, int64) { sample() }
	began := time.Now()
	r := verify(t, st, o)
	took := time.Since(began)
	close(done)
	wg.Wait()
	if len(r.Problems) > 0 || r.Events != int64(n) {
		t.Fatalf("%d events, problems\n%s", r.Events, problems(r))
	}
	t.Logf("verified %d events (%d MB) in %v: %.0f events/s; peak heap in use %.1f MB",
		n, r.Bytes>>20, took.Round(time.Millisecond), float64(n)/took.Seconds(), float64(peak)/(1<<20))
	if peak >= 64<<20 {
		t.Errorf("peak heap in use %.1f MB, want < 64 MB", float64(peak)/(1<<20))
	}
}

func BenchmarkVerifyFile(b *testing.B) {
	const n = 200_000
	st, o := bigArchive(b, n, 10_000)
	b.ResetTimer()
	began := time.Now()
	for b.Loop() {
		if r, err := chain.Verify(context.Background(), st, o); err != nil || len(r.Problems) > 0 {
			b.Fatalf("verify: %v %v", err, r)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(began).Seconds(), "events/s")
}
