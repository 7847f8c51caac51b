package agent

import (
	"runtime"
	"testing"
	"weak"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/internal/event"
)

// The ack the buffer holds until a batch is durable does not keep the
// batch's events alive, and still counts them when it carries an error.
func TestAckOnlyDoesNotHoldTheEvents(t *testing.T) {
	ev := &event.Event{Raw: make([]byte, 1<<20)}
	w := weak.Make(ev)
	var got []error
	un := newNotAppended(prometheus.NewRegistry())
	rb := readBatch{events: []*event.Event{ev, {}}, ack: func(err error) { got = append(got, err) }, un: un}
	ack := rb.ackOnly()
	ev, rb = nil, readBatch{}
	runtime.GC()
	if w.Value() != nil {
		t.Fatal("the ack keeps the batch's events alive")
	}
	ack(errNotAppended)
	if len(got) != 1 || got[0] != errNotAppended {
		t.Fatalf("the input's ack got %v, want the error once", got)
	}
	if n := un.n.Load(); n != 2 {
		t.Fatalf("%d events counted as not appended, want 2", n)
	}
}
