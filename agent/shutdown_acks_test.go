package agent

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/file"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/inputs/stdin"
	"github.com/auditship/auditship/internal/event"
)

// ackCount is one Read's AckFunc: how often it was called, and with what.
type ackCount struct {
	events int
	calls  atomic.Int32
	failed atomic.Bool // called with an error
}

// countingInput wraps an input and counts the calls of every AckFunc its
// Read returns; a second call of one fails the test at once.
type countingInput struct {
	inputs.Input
	t    *testing.T
	name string
	mu   sync.Mutex
	acks []*ackCount
}

func (c *countingInput) Read(ctx context.Context) ([]*event.Event, event.AckFunc, error) {
	evs, ack, err := c.Input.Read(ctx)
	if ack == nil {
		if len(evs) > 0 {
			c.t.Errorf("%s: Read returned %d events without an ack", c.name, len(evs))
		}
		return evs, nil, err
	}
	a := &ackCount{events: len(evs)}
	c.mu.Lock()
	c.acks = append(c.acks, a)
	n := len(c.acks)
	c.mu.Unlock()
	return evs, func(e error) {
		if a.calls.Add(1) > 1 {
			c.t.Errorf("%s: ack of read %d (%d events) called a second time (%v)", c.name, n, a.events, e)
			return
		}
		a.failed.Store(e != nil)
		ack(e)
	}, err
}

// reads returns a copy of the acks seen so far.
func (c *countingInput) reads() []*ackCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*ackCount(nil), c.acks...)
}

// checkOnce fails for every ack not called exactly once; it returns how
// many were called with nil and with an error.
func (c *countingInput) checkOnce(t *testing.T) (ok, failed int) {
	t.Helper()
	for i, a := range c.reads() {
		switch n := a.calls.Load(); {
		case n != 1:
			t.Errorf("%s: ack of read %d (%d events) called %d times, want 1", c.name, i+1, a.events, n)
		case !a.failed.Load():
			ok++
		default:
			failed++
		}
	}
	return ok, failed
}

// rig is a pipeline built from a config with a real file input on a temp
// file and a real stdin input fed through a pipe, both counted.
type rig struct {
	p       *pipeline
	file    *countingInput
	stdin   *countingInput
	logPath string
	pipeW   *os.File
}

// newRig builds the pipeline under dir. The stdin input reads os.Stdin,
// replaced by a pipe until the test ends.
func newRig(t *testing.T, dir string, buf config.Buffer) *rig {
	t.Helper()
	r := &rig{logPath: filepath.Join(dir, "audit.log")}
	if err := os.WriteFile(r.logPath, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.pipeW = pw
	old := os.Stdin
	os.Stdin = pr
	t.Cleanup(func() { os.Stdin = old; pr.Close(); pw.Close() })
	pc := &config.Pipeline{Name: "p", Enabled: true, Buffer: buf,
		Inputs: []*config.Input{testInput("f", file.NewFactory(), r.logPath), testInput("s", stdin.NewFactory(), "")}}
	p, err := build(pc, Options{DataDir: filepath.Join(dir, "data"), Logger: zap.NewNop()}, metrics.New())
	os.Stdin = old
	if err != nil {
		t.Fatal(err)
	}
	r.p = p
	r.file = &countingInput{Input: p.inputs[0].in, t: t, name: "file"}
	r.stdin = &countingInput{Input: p.inputs[1].in, t: t, name: "stdin"}
	p.inputs[0].in, p.inputs[1].in = r.file, r.stdin
	return r
}

func testInput(name string, f inputs.Factory, path string) *config.Input {
	cfg := f.NewConfig()
	if fc, ok := cfg.(*file.Config); ok {
		fc.Paths, fc.ScanInterval = []string{path}, "50ms"
	}
	return &config.Input{Type: f.Type(), Name: name, Enabled: true, Factory: f,
		Decode: format.Options{Format: "json", Input: name}, Framing: record.Config{Format: "json"}, Config: cfg}
}

// startFeed feeds the inputs until the returned func is called.
func (r *rig) startFeed(t *testing.T, rng *rand.Rand) (stopFeed func()) {
	stop := make(chan struct{})
	f, err := os.OpenFile(r.logPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	fileRng := rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
	go func() { defer wg.Done(); defer f.Close(); feed(fileRng, stop, f.WriteString) }()
	go func() { defer wg.Done(); feed(rng, stop, r.pipeW.WriteString) }()
	return func() {
		close(stop)
		r.pipeW.SetWriteDeadline(time.Now()) // nobody reads the pipe any more
		wg.Wait()
	}
}

// feed writes JSON lines with write, a few at a time, until stop is
// closed. The file and the pipe are fed apart: a full pipe (stdin held
// behind a full buffer) must not stop the file from growing.
func feed(rng *rand.Rand, stop <-chan struct{}, write func(string) (int, error)) {
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(time.Duration(rng.IntN(3)) * time.Millisecond):
		}
		line := fmt.Sprintf("{\"timestamp\":\"2024-05-13T08:00:01Z\",\"n\":%d,\"message\":\"%0*d\"}\n", i, rng.IntN(200), 0)
		if _, err := write(line); err != nil {
			return
		}
	}
}

// run runs the pipeline until ctx ends and returns its error.
func (r *rig) run(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	go func() { done <- r.p.run(ctx, time.Second) }()
	return done
}

// TestShutdownAtRandomPointsAcksEachReadOnce stops a pipeline with a file
// and a stdin input at random moments, with a buffer that fits everything
// or that fills up, and checks that every Read's ack was called exactly
// once by the time run returns.
func TestShutdownAtRandomPointsAcksEachReadOnce(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for i := range 16 {
		maxSize := []int64{1 << 30, 4 << 10, 16 << 10, 64 << 10}[rng.IntN(4)]
		wait := time.Duration(rng.IntN(250)) * time.Millisecond
		t.Run(fmt.Sprintf("%d_max%d_after%v", i, maxSize, wait), func(t *testing.T) {
			shutdownOnce(t, rand.New(rand.NewPCG(rng.Uint64(), 0)), maxSize, wait)
		})
	}
}

func shutdownOnce(t *testing.T, rng *rand.Rand, maxSize int64, wait time.Duration) {
	r := newRig(t, t.TempDir(), config.Buffer{MaxSize: maxSize, WhenFull: "block", Fsync: "never"})
	stopFeed := r.startFeed(t, rng)
	ctx, cancel := context.WithCancel(context.Background())
	done := r.run(ctx)
	time.Sleep(wait)
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return 10s after cancel")
	}
	stopFeed()
	fok, ffail := r.file.checkOnce(t)
	sok, sfail := r.stdin.checkOnce(t)
	t.Logf("file: %d acked, %d failed; stdin: %d acked, %d failed", fok, ffail, sok, sfail)
}

// dropAll is a processor that drops every event.
type dropAll struct{}

func (dropAll) Process(_ context.Context, in []*event.Event) ([]*event.Event, error) {
	return in[:0], nil
}

// TestProcessorDroppingEverythingStillAcks: reads whose every event a
// processor drops are acked with nil (their drop record is durable), also
// once the inputs have stopped.
func TestProcessorDroppingEverythingStillAcks(t *testing.T) {
	r := newRig(t, t.TempDir(), config.Buffer{WhenFull: "block", Fsync: "never"})
	r.p.procs = append(r.p.procs, namedProcessor{name: "drop", p: dropAll{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := r.run(ctx)
	line := "{\"timestamp\":\"2024-05-13T08:00:01Z\",\"message\":\"x\"}\n"
	os.WriteFile(r.logPath, []byte(line+line), 0o600)
	r.pipeW.WriteString(line + line)
	r.pipeW.Close() // stdin ends: run keeps going for the file input
	waitReads(t, 2*time.Second, r.file, r.stdin)
	cancel()
	<-done
	for _, c := range []*countingInput{r.file, r.stdin} {
		if ok, failed := c.checkOnce(t); ok == 0 || failed != 0 {
			t.Errorf("%s: %d reads acked with nil, %d with an error; want every read acked with nil", c.name, ok, failed)
		}
	}
}

// waitReads waits until every input returned at least one read whose ack
// was called, or d passes.
func waitReads(t *testing.T, d time.Duration, cs ...*countingInput) {
	t.Helper()
	deadline := time.Now().Add(d)
	for _, c := range cs {
		for !acked(c) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no read acked within %v", c.name, d)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func acked(c *countingInput) bool {
	for _, a := range c.reads() {
		if a.calls.Load() > 0 {
			return true
		}
	}
	return false
}

// TestShutdownWithFullBufferAcksWithError: the buffer cannot take a single
// batch (when_full = block), the inputs keep reading until the channel to
// the buffer is full, then the pipeline is stopped. Every read, the one
// waiting for space and the ones queued or blocked behind it, is acked
// once, with an error: none of it is durable.
func TestShutdownWithFullBufferAcksWithError(t *testing.T) {
	for _, drop := range []bool{false, true} {
		t.Run(fmt.Sprintf("dropAll=%v", drop), func(t *testing.T) {
			r := newRig(t, t.TempDir(), config.Buffer{MaxSize: 1, WhenFull: "block", Fsync: "never"})
			if drop {
				r.p.procs = append(r.p.procs, namedProcessor{name: "drop", p: dropAll{}})
			}
			fullShutdown(t, r)
		})
	}
}

func fullShutdown(t *testing.T, r *rig) {
	ctx, cancel := context.WithCancel(context.Background())
	done := r.run(ctx)
	stopFeed := r.startFeed(t, rand.New(rand.NewPCG(1, 2)))
	waitBlocked(t, r)
	cancel()
	<-done
	stopFeed()
	for _, c := range []*countingInput{r.file, r.stdin} {
		if ok, failed := c.checkOnce(t); ok != 0 || failed == 0 {
			t.Errorf("%s: %d reads acked with nil, %d with an error; want all with an error", c.name, ok, failed)
		}
	}
}

// waitBlocked waits until both inputs have made reads that nobody acked:
// the router waits for space and the inputs are held behind it.
func waitBlocked(t *testing.T, r *rig) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(r.file.reads()) < 2 || len(r.stdin.reads()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("inputs made %d and %d reads, want 2 each", len(r.file.reads()), len(r.stdin.reads()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the channel fill
}

// TestShutdownWhileAppendFailsAcksWithError: every append fails (the
// buffer is closed under the pipeline) and intake retries until the
// pipeline is stopped; the reads it held are acked with an error.
func TestShutdownWhileAppendFailsAcksWithError(t *testing.T) {
	r := newRig(t, t.TempDir(), config.Buffer{WhenFull: "block", Fsync: "never"})
	r.p.buf.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := r.run(ctx)
	line := "{\"timestamp\":\"2024-05-13T08:00:01Z\",\"message\":\"x\"}\n"
	r.pipeW.WriteString(line)
	deadline := time.Now().Add(5 * time.Second)
	for len(r.stdin.reads()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the append is failing and retried
	cancel()
	<-done
	if ok, failed := r.stdin.checkOnce(t); ok != 0 || failed != 1 {
		t.Errorf("stdin: %d reads acked with nil, %d with an error; want 1 with an error", ok, failed)
	}
}
