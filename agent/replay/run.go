package replay

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
)

// run feeds the buffer from the source while the sender delivers, then
// lets the sender deliver everything and stop.
func (r *runner) run(ctx context.Context) (Summary, error) {
	sendCtx, cancelSend := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSend()
	gcCtx, stopGC := context.WithCancel(sendCtx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer stopGC()
		r.sender.Run(sendCtx)
	}()
	go func() {
		defer wg.Done()
		r.gc(gcCtx)
	}()
	f := newFeeder(r)
	err := f.feed(ctx)
	f.wait()
	if err == nil {
		err = f.appendErr()
	}
	if err != nil || ctx.Err() != nil {
		// Deliver what is buffered for a while; the rest waits for the next run.
		time.AfterFunc(r.o.StopTimeout, cancelSend)
	}
	r.sender.Stop(r.buf.NextSeq() - 1)
	r.awaitDelivery(&wg, f.prog)
	sum := f.summary()
	sum.Stream = r.stream
	sum.Present += r.presentRows()
	switch {
	case err != nil:
		return sum, err
	case r.sender.Unsent() > 0: // also when ctx ended during the delivery
		r.log.Warn("replay stopped with undelivered events", zap.Int("events_at_most", r.sender.Unsent()))
		return sum, ErrUndelivered
	}
	return sum, nil
}

// gc deletes the buffer segments the sender has delivered.
func (r *runner) gc(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			r.trim()
			return
		case <-t.C:
		case <-r.kick:
		}
		r.trim()
	}
}

func (r *runner) trim() {
	if err := r.buf.Trim(min(r.buf.NextSeq(), r.sender.Position())); err != nil {
		r.log.Warn("trimming the replay buffer failed", zap.Error(err))
	}
}

// progress reports p with the events delivered so far: the sender's
// cursor (saved about once a second) in the replay buffer, whose records
// are all events numbered from 1.
func (r *runner) progress(p Progress) {
	if r.o.Progress == nil {
		return
	}
	p.Delivered = int64(max(r.sender.Position(), 1) - 1)
	p.Queued = int64(r.buf.NextSeq() - 1)
	r.o.Progress(p)
}

// awaitDelivery waits for the sender and the GC to end, reporting the
// delivery's progress meanwhile.
func (r *runner) awaitDelivery(wg *sync.WaitGroup, p Progress) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		r.progress(p)
		select {
		case <-done:
			r.progress(p)
			return
		case <-t.C:
		}
	}
}
