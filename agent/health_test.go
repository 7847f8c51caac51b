package agent

import (
	"strings"
	"testing"
	"time"
)

func TestOutWatch(t *testing.T) {
	t0 := time.Now()
	w := &outWatch{stall: time.Minute}
	steps := []struct {
		at        time.Duration
		pos, next uint64
		sent      float64
		errs      float64
		want      string // substring; "" = ready
	}{
		{0, 10, 10, 0, 0, ""},                         // nothing pending
		{time.Second, 10, 20, 0, 0, ""},               // pending, waiting for its batch
		{2 * time.Second, 20, 20, 0, 3, "retryable"},  // journaled (cursor passed), retrying
		{3 * time.Second, 20, 20, 0, 4, "retryable"},  // still
		{4 * time.Second, 20, 25, 1, 4, ""},           // a batch stored: delivering again
		{time.Hour, 20, 25, 1, 4, "no progress for"},  // stalled
		{time.Hour + time.Second, 25, 25, 2, 4, ""},   // caught up
		{time.Hour + 2*time.Second, 25, 30, 2, 4, ""}, // old errors do not count
		{time.Hour + 3*time.Second, 25, 30, 2, 5, "1 retryable"},
	}
	for i, s := range steps {
		got := w.observe(t0.Add(s.at), s.pos, s.next, sendCounts{sent: s.sent, errs: s.errs})
		if (s.want == "") != (got == "") || !strings.Contains(got, s.want) {
			t.Errorf("step %d: %q, want %q", i, got, s.want)
		}
	}
}
