package e2e

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// tailSetup is a writer appending to app.log and the config of an agent
// tailing it into out, with its own data_dir.
type tailSetup struct {
	w   *fileWriter
	out string
	cfg string
}

func newTailSetup(t *testing.T, shutdown string, outDir string) tailSetup {
	t.Helper()
	log := filepath.Join(t.TempDir(), "app.log")
	c := config{dataDir: t.TempDir(), shutdown: shutdown, input: fileInput(log + "*"),
		outputs: []string{fileOutput("out", outDir)}}
	return tailSetup{w: newFileWriter(t, log, 2*time.Millisecond), out: outDir, cfg: c.write(t)}
}

func (s tailSetup) run(t *testing.T) *proc {
	t.Helper()
	return start(t, false, "run", "-c", s.cfg)
}

// TestRestartAfterSIGTERM stops the agent twice while the log grows: the
// restarted agent delivers the rest, and nothing twice.
func TestRestartAfterSIGTERM(t *testing.T) {
	t.Parallel()
	s := newTailSetup(t, "", t.TempDir())
	s.w.start()
	for range 2 {
		p := s.run(t)
		time.Sleep(time.Second)
		p.stop(15 * time.Second)
		time.Sleep(300 * time.Millisecond) // the log grows while it is down
	}
	p := s.run(t)
	time.Sleep(500 * time.Millisecond)
	ids := s.w.stop()
	st := waitStored(t, s.out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
}

// TestRestartAfterSIGKILL kills the agent at random moments while the
// log grows; after a final clean run every entry is stored exactly once
// (SPEC §6: effectively-once in file stores). E2E_SEED replays a run.
func TestRestartAfterSIGKILL(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	s := newTailSetup(t, "", t.TempDir())
	s.w.start()
	for range 5 {
		p := s.run(t)
		time.Sleep(time.Duration(300+rnd.IntN(1200)) * time.Millisecond)
		p.kill()
		time.Sleep(time.Duration(rnd.IntN(300)) * time.Millisecond)
	}
	p := s.run(t)
	time.Sleep(500 * time.Millisecond)
	ids := s.w.stop()
	st := waitStored(t, s.out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
}

// seeded returns a random source seeded from the clock, or from E2E_SEED
// to replay a run; the seed is logged.
func seeded(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("E2E_SEED"); v != "" {
		seed, _ = strconv.ParseUint(v, 10, 64)
	}
	t.Logf("seed %d (E2E_SEED=%d replays it)", seed, seed)
	return rand.New(rand.NewPCG(seed, 0))
}
