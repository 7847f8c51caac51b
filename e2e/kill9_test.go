package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKill9Loop kills the agent 32 times at random moments, 100-400ms
// into each run, while a writer appends and rotates the log (rename and
// create). The 300ms batch interval keeps a batch open or in flight at
// almost every kill. Every third run has its output down and lasts 250ms
// longer, so that it leaves a journaled batch for the next run to re-send.
// After a last clean run, every entry is stored exactly once. E2E_SEED
// replays a run.
func TestKill9Loop(t *testing.T) {
	t.Parallel()
	rnd := seeded(t)
	dir, out, dataDir := t.TempDir(), t.TempDir(), t.TempDir()
	log := filepath.Join(dir, "app.log")
	cfg := config{dataDir: dataDir, input: fileInput(log + "*"),
		outputs: []string{fileOutputWith("out", out, outOpts{interval: "300ms"})}}.write(t)
	w := newFileWriter(t, log, 2*time.Millisecond)
	w.start()
	const kills = 32
	resent := 0 // runs that found a journaled batch a kill left unwritten
	for i := range kills {
		down := i%3 == 1 // the batch is journaled, not written, at the kill
		if down {
			blockOutput(t, out)
		}
		p := start(t, false, "run", "-c", cfg)
		d := 100 + rnd.IntN(300)
		if down {
			d += 250 // past the 300ms interval: a batch is journaled
		}
		time.Sleep(time.Duration(d) * time.Millisecond)
		p.kill()
		if down {
			restoreOutput(t, out)
		}
		if strings.Contains(p.log(), "re-sending a journaled batch") {
			resent++
		}
		if i%4 == 3 {
			w.rotate()
		}
	}
	p := start(t, false, "run", "-c", cfg)
	time.Sleep(500 * time.Millisecond)
	ids := w.stop()
	t.Logf("%d entries written over %d kills and %d rotations; %d runs re-sent a journaled batch",
		len(ids), kills, w.rotations, resent)
	st := waitStored(t, out, ids, 60*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
}
