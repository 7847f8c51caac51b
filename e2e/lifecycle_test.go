package e2e

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERM: the agent exits 0 within shutdown_timeout, whether its
// output drains (all stored) or keeps failing (data kept in the buffer).
func TestSIGTERM(t *testing.T) {
	t.Parallel()
	t.Run("draining", func(t *testing.T) {
		t.Parallel()
		s := newTailSetup(t, "5s", t.TempDir())
		p := s.run(t)
		s.w.writeN(300)
		waitStored(t, s.out, s.w.ids, 20*time.Second)
		s.w.writeN(300)
		stopWithin(t, p, 5*time.Second)
	})
	t.Run("failing output", func(t *testing.T) {
		t.Parallel()
		s := newTailSetup(t, "2s", blockedDir(t))
		p := s.run(t)
		s.w.writeN(300)
		time.Sleep(time.Second) // read and buffered; the output retries
		stopWithin(t, p, 2*time.Second)
	})
}

// stopWithin sends SIGTERM and wants exit 0 within timeout (plus a margin
// for process exit).
func stopWithin(t *testing.T, p *proc, timeout time.Duration) {
	t.Helper()
	begin := time.Now()
	p.stop(timeout + 10*time.Second)
	if d := time.Since(begin); d > timeout+2*time.Second {
		t.Errorf("exit took %v, shutdown_timeout is %v", d, timeout)
	}
}

// TestSecondSignal: while the agent drains a failing output (30s of
// shutdown_timeout), a second signal exits at once with 128+signo, and
// the buffer stays consistent: once the output works, a new run stores
// everything exactly once.
func TestSecondSignal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			out := blockedDir(t)
			s := newTailSetup(t, "30s", out)
			p := s.run(t)
			s.w.writeN(300)
			time.Sleep(1500 * time.Millisecond) // read and buffered
			p.signal(tc.sig)
			time.Sleep(500 * time.Millisecond)
			if !p.running() {
				t.Fatalf("exited on the first %v with %d while its output could not drain",
					tc.sig, p.cmd.ProcessState.ExitCode())
			}
			p.signal(tc.sig)
			begin := time.Now()
			if code := p.wait(5 * time.Second); code != tc.code {
				t.Errorf("exit code after a second %v = %d, want %d", tc.sig, code, tc.code)
			}
			if d := time.Since(begin); d > 2*time.Second {
				t.Errorf("second %v took %v to exit, want at once", tc.sig, d)
			}
			unblock(t, out)
			p = s.run(t)
			st := waitStored(t, out, s.w.ids, 20*time.Second)
			p.stop(15 * time.Second)
			assertExact(t, st, s.w.ids)
		})
	}
}

// unblock turns a blockedDir back into a directory.
func unblock(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestDataDirLocked: a second run on the same data_dir exits 2 and the
// first keeps running.
func TestDataDirLocked(t *testing.T) {
	t.Parallel()
	s := newTailSetup(t, "", t.TempDir())
	p := s.run(t)
	s.w.writeN(20)
	waitStored(t, s.out, s.w.ids, 20*time.Second)
	_, stderr, code := runOnce(t, "run", "-c", s.cfg)
	if code != 2 {
		t.Errorf("second run on a locked data_dir: exit %d, want 2; stderr:\n%s", code, stderr)
	}
	if !p.running() {
		t.Fatal("the first agent stopped")
	}
	p.stop(15 * time.Second)
}
