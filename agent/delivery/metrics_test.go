package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/auditship/auditship/agent/metrics"
)

// gaugeValue is the value of the one series of a gauge (or gauge func).
func gaugeValue(t *testing.T, reg *metrics.Registry, name string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("%s not registered", name)
	return 0
}

// watched gives s a registry of its own with the gauges New registers.
func watched(s *Sender) *metrics.Registry {
	reg := withRegistry(s)
	s.m.watch(reg, prometheus.Labels{"pipeline": "p", "output": "o"},
		func() uint64 { return s.buf.Durable() + 1 }, s.cfg.Batch.Interval)
	return reg
}

// TestOutputMetricsOfAWriteAfterRetries: two failed writes then a stored
// batch count two retries, three timed writes, the stored bytes and the
// time of the send.
func TestOutputMetricsOfAWriteAfterRetries(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}, fail: 2}
	s := newStoreSender(t, buf, out, dir+"/out")
	reg := watched(s)
	last := appendEvents(t, buf, 4)
	start := time.Now()
	runFor(t, s, last)
	size := 0
	for _, b := range out.objs {
		size += len(b)
	}
	if got := testutil.ToFloat64(s.m.bytes); got != float64(size) || size == 0 {
		t.Errorf("auditship_output_sent_bytes_total = %v, want %d", got, size)
	}
	if got := testutil.ToFloat64(s.m.retries); got != 2 {
		t.Errorf("auditship_output_retries_total = %v, want 2", got)
	}
	if got := testutil.CollectAndCount(s.m.writeSeconds); got != 1 {
		t.Fatalf("%d write histograms, want 1", got)
	}
	if n := histogramCount(t, reg, "auditship_output_write_duration_seconds"); n != 3 {
		t.Errorf("write duration histogram has %d samples, want 3", n)
	}
	sent := gaugeValue(t, reg, "auditship_output_last_send_timestamp_seconds")
	if sent < float64(start.Unix()) || sent > float64(time.Now().UnixNano())/1e9 {
		t.Errorf("last send at %v, want between %d and now", sent, start.Unix())
	}
	if got := gaugeValue(t, reg, "auditship_output_batch_interval_seconds"); got != s.cfg.Batch.Interval.Seconds() {
		t.Errorf("batch interval gauge %v, want %v", got, s.cfg.Batch.Interval.Seconds())
	}
}

func histogramCount(t *testing.T, reg *metrics.Registry, name string) uint64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == name {
			return f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatalf("%s not registered", name)
	return 0
}

// TestOutputHeldOnPermanentErrorGauge: the gauge is 1 while a permanent
// error holds the output and 0 once a write goes through.
func TestOutputHeldOnPermanentErrorGauge(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	mem := &memStore{objs: map[string][]byte{}}
	s := newTestSender(t, buf, refusingStore{probeStore{mem}}, dir+"/out")
	reg := watched(s)
	appendEvents(t, buf, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	s.Run(ctx)
	if got := gaugeValue(t, reg, "auditship_output_held_on_permanent_error"); got != 1 {
		t.Fatalf("held gauge %v after permanent errors, want 1", got)
	}
	s2 := newTestSender(t, buf, &causesStore{memStore: mem, causes: []string{"denied"}}, dir+"/out")
	reg = watched(s2)
	runFor(t, s2, buf.NextSeq()-1)
	if got := gaugeValue(t, reg, "auditship_output_held_on_permanent_error"); got != 0 {
		t.Fatalf("held gauge %v after the store recovered, want 0", got)
	}
}

// TestOldestUnsentEventAge: events waiting behind a failing store age from
// the first growth note that holds them; delivered, the age is 0.
func TestOldestUnsentEventAge(t *testing.T) {
	dir := t.TempDir()
	buf := openTestBuffer(t, dir)
	out := &memStore{objs: map[string][]byte{}}
	out.down.Store(true)
	s := newStoreSender(t, buf, out, dir+"/out")
	reg := watched(s)
	last := appendEvents(t, buf, 4)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runUntil(s, last)
	}()
	time.Sleep(1200 * time.Millisecond)
	age := gaugeValue(t, reg, "auditship_output_oldest_unsent_event_age_seconds")
	out.down.Store(false)
	<-done
	if age < 1 || age > 3 {
		t.Errorf("oldest unsent age %v while the store was down 1.2s, want 1 to 3", age)
	}
	if got := gaugeValue(t, reg, "auditship_output_oldest_unsent_event_age_seconds"); got != 0 {
		t.Errorf("oldest unsent age %v after delivery, want 0", got)
	}
}

// TestUnsentAgeNotes checks the arithmetic of the growth notes.
func TestUnsentAgeNotes(t *testing.T) {
	t0 := time.Unix(1000, 0)
	a := &unsentAge{}
	a.first.Store(5)
	a.note(11, t0)                     // 1-10 durable at t0
	a.note(11, t0.Add(time.Second))    // no growth: no note
	a.note(21, t0.Add(10*time.Second)) // 11-20 durable at t0+10s
	for _, c := range []struct {
		first, next uint64
		want        float64
	}{
		{5, 21, 30},  // held since t0
		{15, 21, 20}, // held since t0+10s
		{21, 21, 0},  // everything delivered
		{21, 25, 0},  // newer than the last note
	} {
		a.first.Store(c.first)
		if got := a.seconds(c.next, t0.Add(30*time.Second)); got != c.want {
			t.Errorf("first %d next %d: age %v, want %v", c.first, c.next, got, c.want)
		}
	}
	a.first.Store(15)
	a.note(31, t0.Add(20*time.Second))
	if len(a.notes) != 2 {
		t.Errorf("%d notes kept, want 2 (the one below first is forgotten)", len(a.notes))
	}
	for i := range 2 * maxNotes {
		a.note(uint64(100+i), t0)
	}
	if len(a.notes) > maxNotes {
		t.Errorf("%d notes, want at most %d", len(a.notes), maxNotes)
	}
}
