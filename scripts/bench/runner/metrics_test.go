package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSumSeries(t *testing.T) {
	text := `# HELP a_total A.
# TYPE a_total counter
a_total{pipeline="p1"} 3
a_total{pipeline="p2",x="}"} 4.5
a_total_other 100
b 1.5e+09 1700000000000
c{l="v"} 7
`
	got, err := sumSeries(strings.NewReader(text), []string{"a_total", "b", "missing"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"a_total": 7.5, "b": 1.5e9}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sums (-want +got):\n%s", diff)
	}
}

// fakeAgent serves counters that grow by one per scrape.
func fakeAgent(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		k := n.Add(1)
		fmt.Fprintf(w, "# TYPE grow_total counter\ngrow_total{pipeline=\"a\"} %d\nfsyncs_total 10\n", k)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestUntilMetric: -until watches a scraped series instead of files, and
// the fsync rate is the counter over the time of the last scrape.
func TestUntilMetric(t *testing.T) {
	o := opts("sh", "-c", `trap 'exit 0' TERM; while :; do sleep 0.01; done`)
	o.metrics, o.scrape = fakeAgent(t).URL, 5*time.Millisecond
	o.untilMetric, o.until, o.fsyncs = "grow_total", 5, "fsyncs_total"
	o.eventsFrom = "grow_total"
	r, err := measure(o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.killed, "sigterm@") || r.failed() {
		t.Errorf("killed %q, exit %d; want sigterm and success", r.killed, r.exitCode)
	}
	if r.opts.events < 5 {
		t.Errorf("events %d from grow_total, want the last scraped value, at least 5", r.opts.events)
	}
	if r.fsyncRate <= 0 || r.fsyncRate > 10/0.02 {
		t.Errorf("fsync rate %.1f/s for 10 fsyncs seen after at least 25ms", r.fsyncRate)
	}
}

func TestNoMetricsNoRate(t *testing.T) {
	r, err := measure(opts("true"))
	if err != nil || r.fsyncRate != -1 || r.store != nil {
		t.Errorf("fsync rate %v, store %v, err %v; want -1, nil", r.fsyncRate, r.store, err)
	}
}

func TestStat(t *testing.T) {
	o := opts("true")
	o.stat, o.eventsOut = "echo 4 100 400 7", true
	r, err := measure(o)
	if err != nil {
		t.Fatal(err)
	}
	if r.out != 7 || r.opts.events != 7 || r.store.objects != 4 || r.store.ratio() != 0.25 {
		t.Errorf("out %d, events %d, store %+v; want 7, 7, 4 objects, ratio 0.25", r.out, r.opts.events, r.store)
	}
	for _, bad := range []string{"echo 1 2", "exit 1"} {
		o.stat = bad
		if _, err := measure(o); err == nil {
			t.Errorf("stat %q: no error", bad)
		}
	}
}
