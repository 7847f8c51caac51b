package buffer

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetricsSize checks the footprint gauges after appends and a trim:
// records, bytes and the usage ratio of max_size follow the segments.
func TestMetricsSize(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	l := openLog(t, Options{Dir: t.TempDir(), MaxSize: 1 << 20, SegmentSize: 64 << 10, Registerer: reg})
	for range 10 {
		appendN(t, l, 100, 200)
	}
	if got := testutil.ToFloat64(l.m.records); got < 1000 {
		t.Fatalf("auditship_buffer_records = %v, want at least 1000", got)
	}
	bytes := testutil.ToFloat64(l.m.bytes)
	if got, want := testutil.ToFloat64(l.m.usage), bytes/(1<<20); got != want || got <= 0 {
		t.Fatalf("auditship_buffer_usage_ratio = %v, want %v", got, want)
	}
	if err := l.Trim(l.NextSeq()); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	first := l.segs[0].first
	l.mu.Unlock()
	if got, want := testutil.ToFloat64(l.m.records), float64(l.NextSeq()-first); got != want || got >= 1000 {
		t.Fatalf("after trim: auditship_buffer_records = %v, want %v (< 1000)", got, want)
	}
	if got := testutil.ToFloat64(l.m.usage); got >= bytes/(1<<20) {
		t.Fatalf("after trim: usage ratio %v did not fall", got)
	}
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err) // a pedantic registry checks the collectors' consistency
	}
}

// TestMetricsFsyncLatency checks that every counted fsync is timed.
func TestMetricsFsyncLatency(t *testing.T) {
	reg := prometheus.NewRegistry()
	l := openLog(t, Options{Dir: t.TempDir(), Fsync: FsyncAlways, Registerer: reg})
	appendN(t, l, 3, 10)
	appendN(t, l, 3, 10)
	fsyncs := testutil.ToFloat64(l.m.fsyncs)
	if fsyncs == 0 {
		t.Fatal("no fsync counted")
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "auditship_buffer_fsync_duration_seconds" {
			if n := mf.GetMetric()[0].GetHistogram().GetSampleCount(); float64(n) != fsyncs {
				t.Fatalf("fsync histogram has %d samples, fsyncs_total %v", n, fsyncs)
			}
			return
		}
	}
	t.Fatal("auditship_buffer_fsync_duration_seconds not registered")
}
