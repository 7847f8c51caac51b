package agent

import (
	"sync/atomic"

	"github.com/auditship/auditship/internal/event"
)

// tracker acks one input read once every output has written every event
// of it that was routed to that output.
type tracker struct {
	pending atomic.Int64
	ack     event.AckFunc
}

func newTracker(ack event.AckFunc) *tracker {
	t := &tracker{ack: ack}
	t.pending.Store(1) // held by the router until routing is complete
	return t
}

func (t *tracker) add(n int) { t.pending.Add(int64(n)) }

// done releases n deliveries; the last one acks the input.
func (t *tracker) done(n int) {
	if t.pending.Add(int64(-n)) == 0 && t.ack != nil {
		t.ack(nil)
	}
}
