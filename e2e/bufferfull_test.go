package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fullSetup is an agent with the smallest buffer the config allows
// (max_size = "1MiB") and its output down, tailing app.log.
type fullSetup struct {
	addr, log, out, dataDir string
	w                       *fileWriter
	p                       *proc
}

func startFull(t *testing.T, whenFull string) fullSetup {
	t.Helper()
	s := fullSetup{addr: freeAddr(t), log: filepath.Join(t.TempDir(), "app.log"),
		out: blockedDir(t), dataDir: t.TempDir()}
	cfg := config{dataDir: s.dataDir, metrics: s.addr, input: fileInput(s.log + "*"),
		buffer:  `max_size = "1MiB"` + "\n    when_full = \"" + whenFull + `"`,
		outputs: []string{fileOutputWith("out", s.out, outOpts{})}}.write(t)
	s.w = newFileWriter(t, s.log, time.Millisecond)
	s.p = start(t, false, "run", "-c", cfg)
	return s
}

// fullEntries is about 2.7MB of log: well over the buffer.
const fullEntries = 4000

// TestBufferFullBlock: with when_full = "block" the input stops short of
// the end of the log while the output is down, nothing is dropped, and
// once the output is back everything arrives exactly once.
func TestBufferFullBlock(t *testing.T) {
	t.Parallel()
	s := startFull(t, "block")
	s.w.writeN(fullEntries)
	size := fileSize(t, s.log)
	cp := waitSteadyCheckpoint(t, s.dataDir, 1500*time.Millisecond, 20*time.Second)
	t.Logf("input paused at %d of %d bytes", cp, size)
	if cp >= size {
		t.Fatalf("checkpoint reached the end of the log (%d bytes) with a 1MiB buffer and the output down", size)
	}
	if d := metric(s.addr, "auditship_buffer_full_dropped_events_total"); d != 0 {
		t.Errorf("when_full = block dropped %v events", d)
	}
	if !strings.Contains(s.p.log(), "buffer full") {
		t.Error("no 'buffer full' line in the agent log")
	}
	unblock(t, s.out)
	st := waitStored(t, s.out, s.w.ids, 30*time.Second)
	s.p.stop(15 * time.Second)
	assertExact(t, st, s.w.ids)
}

// TestBufferFullDropNewest: with when_full = "drop_newest" the input reads
// to the end; what did not fit is dropped and counted: stored + dropped
// == written, exactly, and nothing is stored twice.
func TestBufferFullDropNewest(t *testing.T) {
	t.Parallel()
	s := startFull(t, "drop_newest")
	s.w.writeN(fullEntries)
	waitCheckpoint(t, s.dataDir, fileSize(t, s.log), 20*time.Second)
	unblock(t, s.out)
	var st stored
	var dropped float64
	ok := waitFor(60*time.Second, func() bool {
		st, _ = readStored(s.out)
		dropped = metric(s.addr, "auditship_buffer_full_dropped_events_total")
		return st.lines+int(dropped) >= fullEntries
	})
	t.Logf("%v, %v dropped", st, dropped)
	if !ok || st.lines+int(dropped) != fullEntries {
		t.Fatalf("stored %d + dropped %v != %d written", st.lines, dropped, fullEntries)
	}
	if dropped == 0 {
		t.Error("nothing dropped: the buffer never filled")
	}
	// Drained, the buffer frees its space and has room again: more than
	// max_size of new entries, in chunks the output keeps up with, are
	// all kept.
	for range 3 {
		b := waitMetric(t, s.addr, "auditship_buffer_bytes", 10*time.Second,
			func(v float64) bool { return v <= 512<<10 })
		t.Logf("buffer bytes %v", b)
		s.w.writeN(500)
		waitStored(t, s.out, s.w.ids[fullEntries:], 20*time.Second)
	}
	if d := metric(s.addr, "auditship_buffer_full_dropped_events_total"); d != dropped {
		t.Errorf("dropped %v after the output drained the buffer, want still %v", d, dropped)
	}
	s.p.stop(15 * time.Second)
	st, _ = readStored(s.out)
	if st.lines+int(dropped) != len(s.w.ids) {
		t.Errorf("%v + %v dropped, want %d entries in all", st, dropped, len(s.w.ids))
	}
	if d := st.duplicates(); len(d) > 0 || st.lines != len(st.ids) {
		t.Errorf("%v: duplicates %v", st, head(d))
	}
	if u := st.unexpected(s.w.ids); len(u) > 0 {
		t.Errorf("%d unexpected _ids, e.g. %v", len(u), head(u))
	}
}

// waitSteadyCheckpoint waits until the checkpoints exist and have not
// moved for quiet, and returns where they stopped.
func waitSteadyCheckpoint(t *testing.T, dataDir string, quiet, d time.Duration) int64 {
	t.Helper()
	last, since := int64(-1), time.Now()
	ok := waitFor(d, func() bool {
		if cp := checkpointTotal(dataDir); cp != last {
			last, since = cp, time.Now()
		}
		return last > 0 && time.Since(since) >= quiet
	})
	if !ok {
		t.Fatalf("checkpoints still moving (or missing: %d) after %v", last, d)
	}
	return last
}
