// Package stdin is the `stdin` input: it reads the process's standard input
// until EOF, framing and decoding records like the file input.
package stdin

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

// chunkSize is the largest read from the pipe.
const chunkSize = 256 << 10

var errClosed = errors.New("stdin input closed")

// chunk is one read: its bytes, then the read's error (io.EOF at the end).
type chunk struct {
	data []byte
	err  error
}

// input implements inputs.Input for a stream. A reader goroutine feeds
// chunks so that Read can honour ctx and the multi-line flush timeout
// while the producer is idle.
type input struct {
	set     inputs.Settings
	r       io.Reader
	chunks  chan chunk
	fr      *record.Framer
	sid     sourceID
	recs    []record.Record
	jobs    []format.Job // the records of a read to decode
	flushAt time.Time
	ended   bool
	m       *metrics
	log     *zap.Logger
	t       tally
	emitEnd int64 // stream offset where the last Read's records end

	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

func newInput(r io.Reader, s inputs.Settings) (*input, error) {
	m, err := newMetrics(s.Registerer)
	if err != nil {
		return nil, err
	}
	if s.Logger == nil {
		s.Logger = zap.NewNop()
	}
	in := &input{
		set: s, r: r, chunks: make(chan chunk, 1), fr: record.New(s.Framing, 0),
		sid: newSourceID(), m: m, log: s.Logger, done: make(chan struct{}),
	}
	in.wg.Add(1)
	go in.pump()
	return in, nil
}

// minRead is the least room a read gets; below it a new buffer starts.
const minRead = 64 << 10

// pump reads r until an error, handing each chunk to Read. Reads fill one
// large buffer one after the other (a pipe returns at most its size per
// read): each chunk is the part just read, never written again, so the
// events that alias it stay valid and no byte is copied.
func (in *input) pump() {
	defer in.wg.Done()
	var buf []byte
	for {
		if len(buf) < minRead {
			buf = make([]byte, chunkSize)
		}
		n, err := in.r.Read(buf)
		if !in.took(n) {
			in.discarded(n)
			return
		}
		data := buf[:n:n]
		buf = buf[n:]
		select {
		case in.chunks <- chunk{data: data, err: err}:
		case <-in.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the records of the next chunk as events; at the end of the
// stream it also emits the open record and the held partial line and
// returns io.EOF.
func (in *input) Read(ctx context.Context) ([]*event.Event, event.AckFunc, error) {
	for !in.ended {
		if evs, ack, err := in.wait(ctx); len(evs) > 0 || err != nil {
			return evs, ack, err
		}
	}
	return nil, nil, io.EOF
}

// wait takes the next chunk, or flushes an open multi-line record once
// the producer has been idle for flush_timeout.
func (in *input) wait(ctx context.Context) ([]*event.Event, event.AckFunc, error) {
	var flush <-chan time.Time
	if in.set.FlushTimeout > 0 && in.fr.Pending() {
		tm := time.NewTimer(time.Until(in.flushAt))
		defer tm.Stop()
		flush = tm.C
	}
	select {
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-in.done:
		return nil, nil, errClosed
	case c := <-in.chunks:
		return in.take(c)
	case <-flush:
		if recs := in.fr.Flush(in.recs[:0]); len(recs) > 0 {
			evs, ack := in.events(recs)
			return evs, ack, nil
		}
	}
	return nil, nil, nil
}

// take frames one chunk; at the end of the stream it ends the framer. A
// read error other than EOF ends the input too: stdin cannot be re-read.
func (in *input) take(c chunk) ([]*event.Event, event.AckFunc, error) {
	in.sid.write(c.data)
	in.flushAt = time.Now().Add(in.set.FlushTimeout)
	recs := in.fr.Write(c.data, in.recs[:0])
	if c.err != nil {
		in.ended = true
		recs = in.fr.End(recs)
	}
	var evs []*event.Event
	var ack event.AckFunc
	if len(recs) > 0 {
		evs, ack = in.events(recs)
	}
	if c.err == nil || errors.Is(c.err, io.EOF) {
		return evs, ack, ifEnded(in.ended)
	}
	return evs, ack, errors.Join(c.err, io.EOF)
}

func ifEnded(ended bool) error {
	if ended {
		return io.EOF
	}
	return nil
}

// Close stops the reader and reports what was read but not made durable.
// A read blocked on a pipe is unblocked where the platform allows; the
// goroutine exits when its read returns, reporting any bytes it got.
func (in *input) Close(ctx context.Context) error {
	in.closeOnce.Do(func() {
		close(in.done)
		in.report()
		if f, ok := in.r.(*os.File); ok {
			_ = f.SetReadDeadline(time.Now())
		}
	})
	return nil
}
