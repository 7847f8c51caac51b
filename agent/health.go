package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
)

// What the watchdog tells /readyz besides the outputs held on a permanent
// error (which their senders report themselves): a buffer full, an output
// that retries without delivering, or one that has not moved for long
// while records wait. Every pass is a beat for /healthz: it takes each
// buffer's locks, so a wedged pipeline stops the beats.
const (
	watchEvery = time.Second
	minStall   = time.Minute // an output is stalled after max(2 × batch interval, minStall)
	fullRatio  = 100         // a buffer is full with less than 1/fullRatio of max_size free
)

// pipeWatch is the watchdog's memory of one pipeline's outputs.
type pipeWatch struct {
	outputs map[string]*outWatch
}

// outWatch follows one output's cursor and stored batches.
type outWatch struct {
	stall time.Duration
	pos   uint64    // the cursor at the last pass
	sent  float64   // batches stored at the last pass
	moved time.Time // when either last moved
	base  float64   // its retryable send errors when it last stored a batch
}

func newPipeWatch(pc *config.Pipeline) *pipeWatch {
	w := &pipeWatch{outputs: map[string]*outWatch{}}
	for _, oc := range pc.Outputs {
		w.outputs[oc.Name] = &outWatch{stall: max(2*oc.Batch.Interval, minStall)}
	}
	return w
}

// watch runs the watchdog until the returned stop is called.
func (s *supervisor) watch() (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(watchEvery)
		defer t.Stop()
		for {
			s.check(time.Now())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// check goes over every running pipeline once.
func (s *supervisor) check(now time.Time) {
	for _, r := range s.snapshot() {
		select {
		case <-r.done: // ended or stopping: its health goes with it
		default:
			r.check(now, s.reg)
		}
	}
	s.reg.Beat()
}

func (r *runningPipe) check(now time.Time, reg *metrics.Registry) {
	name := r.pc.Name
	problem := ""
	if r.p.buf.Full(max(r.pc.Buffer.MaxSize/fullRatio, 1)) {
		problem = fmt.Sprintf("buffer full (max_size %d bytes, when_full %s)", r.pc.Buffer.MaxSize, r.pc.Buffer.WhenFull)
	}
	reg.SetProblem(name, "", problem)
	next := r.p.buf.NextSeq()
	for _, snd := range r.p.senders {
		if w := r.watch.outputs[snd.Name()]; w != nil {
			stored, errs := snd.Progress()
			c := sendCounts{sent: float64(stored), errs: float64(errs)}
			reg.SetProblem(name, snd.Name(), w.observe(now, snd.Position(), next, c))
		}
	}
}

// sendCounts are an output's stored batches and retryable send errors.
type sendCounts struct{ sent, errs float64 }

// observe returns what is wrong with an output whose cursor is at pos
// while the buffer's next record is next, or "". Retryable errors since
// its last stored batch mean it is not delivering (a journaled output's
// cursor has already passed the batch it retries); so does a cursor that
// has not moved for long while records wait.
func (w *outWatch) observe(now time.Time, pos, next uint64, c sendCounts) string {
	if c.sent != w.sent { // a stored batch: the errors before it are over
		w.base = c.errs
	}
	if w.moved.IsZero() || pos != w.pos || c.sent != w.sent {
		w.pos, w.sent, w.moved = pos, c.sent, now
	}
	if c.errs > w.base {
		return fmt.Sprintf("not delivering: %.0f retryable errors since its last stored batch", c.errs-w.base)
	}
	if since := now.Sub(w.moved); pos < next && since > w.stall {
		return fmt.Sprintf("not delivering: no progress for %s, about %d records waiting",
			since.Round(time.Second), next-pos)
	}
	return ""
}
