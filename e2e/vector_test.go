package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The correctness cases of Vector's test harness, against auditship.

// vectorSetup is an agent tailing app.log* into out with its own
// data_dir, and a writer appending to app.log every 2ms (not started).
type vectorSetup struct {
	log, out, dataDir, cfg string
	w                      *fileWriter
}

func newVectorSetup(t *testing.T, out string) vectorSetup {
	t.Helper()
	s := vectorSetup{log: filepath.Join(t.TempDir(), "app.log"), out: out, dataDir: t.TempDir()}
	s.cfg = config{dataDir: s.dataDir, input: fileInput(s.log + "*"),
		outputs: []string{fileOutputWith("out", out, outOpts{})}}.write(t)
	s.w = newFileWriter(t, s.log, 2*time.Millisecond)
	return s
}

func (s vectorSetup) run(t *testing.T) *proc {
	t.Helper()
	return start(t, false, "run", "-c", s.cfg)
}

// finish stops the writer, waits for every entry and wants each stored
// exactly once.
func (s vectorSetup) finish(t *testing.T, p *proc) {
	t.Helper()
	ids := s.w.stop()
	t.Logf("%d entries written", len(ids))
	st := waitStored(t, s.out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
}

// TestDiskBufferPersistence: events durable in the buffer survive kill -9
// while the output is down. The log is deleted before the restart, so
// they can only come from the buffer.
func TestDiskBufferPersistence(t *testing.T) {
	t.Parallel()
	out := blockedDir(t)
	s := newVectorSetup(t, out)
	p := s.run(t)
	s.w.writeN(1000)
	waitCheckpoint(t, s.dataDir, fileSize(t, s.log), 20*time.Second)
	p.kill()
	if err := os.Remove(s.log); err != nil {
		t.Fatal(err)
	}
	unblock(t, out)
	p = s.run(t)
	st := waitStored(t, out, s.w.ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, s.w.ids)
}

// TestFileRotateCreate: rename rotation, a new file created at the path.
func TestFileRotateCreate(t *testing.T) {
	t.Parallel()
	s := newVectorSetup(t, t.TempDir())
	p := s.run(t)
	s.w.start()
	for range 3 {
		time.Sleep(500 * time.Millisecond)
		s.w.rotate()
	}
	time.Sleep(500 * time.Millisecond)
	s.finish(t, p)
}

// TestFileRotateTruncate: logrotate's copytruncate, the writer paused
// around each rotation (the copy-truncate window loses writes by design).
func TestFileRotateTruncate(t *testing.T) {
	t.Parallel()
	requireLogrotate(t)
	s := newVectorSetup(t, t.TempDir())
	p := s.run(t)
	s.w.start()
	for range 3 {
		time.Sleep(500 * time.Millisecond)
		rotatePaused(t, s.w, s.log)
	}
	time.Sleep(500 * time.Millisecond)
	s.finish(t, p)
}

// TestFileTruncate: the log is truncated to 0 in place, once the agent
// has read it, and rewritten with new entries: a new generation of the
// same inode, read from its start.
func TestFileTruncate(t *testing.T) {
	t.Parallel()
	s := newVectorSetup(t, t.TempDir())
	p := s.run(t)
	s.w.start()
	for range 2 {
		time.Sleep(500 * time.Millisecond)
		s.w.pause()
		waitStored(t, s.out, s.w.ids, 20*time.Second)
		if err := os.Truncate(s.log, 0); err != nil {
			t.Fatal(err)
		}
		s.w.resume()
	}
	time.Sleep(500 * time.Millisecond)
	s.finish(t, p)
}
