package stdin

import (
	"sync"

	"go.uber.org/zap"
)

// tally follows the input's bytes and events from the pipe to their ack,
// so that Close can report what was read but never made durable: stdin
// has no checkpoint, those bytes are gone from the pipe.
type tally struct {
	mu          sync.Mutex
	closed      bool
	readBytes   int64 // taken from the pipe while open
	ackedBytes  int64
	readEvents  int64
	ackedEvents int64
	failed      int64 // events acked with an error
}

// took counts n bytes taken from the pipe; false once the input is closed.
func (in *input) took(n int) bool {
	in.t.mu.Lock()
	defer in.t.mu.Unlock()
	if in.t.closed {
		return false
	}
	in.t.readBytes += int64(n)
	in.m.readBytes.Add(float64(n))
	return true
}

// discarded reports bytes the pump read after Close.
func (in *input) discarded(n int) {
	if n == 0 {
		return
	}
	in.m.unbuffered.Add(float64(n))
	in.log.Warn("stdin: bytes read from the pipe after the input closed were discarded; "+
		"the producer must re-send them", zap.Int("bytes", n))
}

// emitted counts a Read of n events and returns its ack: the read
// covers the stream's bytes from the previous Read's end to end.
func (in *input) emitted(n int, end int64) func(error) {
	bytes := end - in.emitEnd
	in.emitEnd = end
	in.t.mu.Lock()
	in.t.readEvents += int64(n)
	in.t.mu.Unlock()
	return func(err error) { in.acked(n, bytes, err) }
}

func (in *input) acked(n int, bytes int64, err error) {
	in.t.mu.Lock()
	defer in.t.mu.Unlock()
	if err != nil {
		in.t.failed += int64(n)
		in.m.failed.Add(float64(n))
		return
	}
	in.t.ackedEvents += int64(n)
	in.t.ackedBytes += bytes
	in.m.acked.Add(float64(n))
	in.m.ackedBytes.Add(float64(bytes))
}

// report closes the tally and warns once about what was read from the
// pipe but never made durable: failed acks, acks that had not come, an
// open record, a chunk not framed yet.
func (in *input) report() {
	in.t.mu.Lock()
	in.t.closed = true
	pending := in.t.readEvents - in.t.ackedEvents - in.t.failed
	in.t.failed += pending
	events, bytes := in.t.failed, in.t.readBytes-in.t.ackedBytes
	in.t.mu.Unlock()
	in.m.failed.Add(float64(pending))
	in.m.unbuffered.Add(float64(bytes))
	if events > 0 || bytes > 0 {
		in.log.Warn("stdin: read from the pipe but not buffered before shutdown; lost unless the producer re-sends them",
			zap.Int64("events", events), zap.Int64("bytes", bytes))
	}
}
