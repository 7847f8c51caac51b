package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestOutputFailingFor20s replaces the output's directory by a regular
// file for 20s while a writer appends. The sender retries (backoff capped
// at 1s, counted as retryable send errors), the input keeps reading into
// the buffer meanwhile, and once the directory is back every entry is
// stored exactly once.
func TestOutputFailingFor20s(t *testing.T) {
	t.Parallel()
	addr, out, dataDir := freeAddr(t), t.TempDir(), t.TempDir()
	log := filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, metrics: addr, input: fileInput(log + "*"),
		outputs: []string{fileOutputWith("out", out, outOpts{})}}.write(t)
	w := newFileWriter(t, log, 5*time.Millisecond)
	p := start(t, false, "run", "-c", cfg)
	w.start()
	waitMetric(t, addr, "auditship_output_events_total", 10*time.Second, func(v float64) bool { return v > 0 })
	retryable := []string{`kind="retryable"`, `output="out"`}
	before := metric(addr, "auditship_output_send_errors_total", retryable...)

	blockOutput(t, out)
	end := time.Now().Add(20 * time.Second)
	waitMetric(t, addr, "auditship_output_send_errors_total", 5*time.Second,
		func(v float64) bool { return v > before }, retryable...)
	cp0, ev0 := checkpointTotal(dataDir), metric(addr, "auditship_input_events_total")
	time.Sleep(time.Until(end) - time.Second)
	cp1, ev1 := checkpointTotal(dataDir), metric(addr, "auditship_input_events_total")
	errs := metric(addr, "auditship_output_send_errors_total", retryable...)
	time.Sleep(time.Until(end))
	restoreOutput(t, out)

	t.Logf("during the outage: checkpoint %d → %d bytes, input events %v → %v, retryable send errors %v → %v",
		cp0, cp1, ev0, ev1, before, errs)
	if cp1 <= cp0 || ev1 <= ev0 {
		t.Error("the input stopped reading while the output was down; the buffer should absorb it")
	}
	// About one retry a second once the backoff reached its 1s cap.
	if errs-before < 10 {
		t.Errorf("%v retryable send errors in 20s with max_interval 1s, want at least 10", errs-before)
	}
	time.Sleep(time.Second)
	ids := w.stop()
	t.Logf("%d entries written", len(ids))
	st := waitStored(t, out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
}

// blockOutput moves a file output's directory away and puts a regular
// file in its place: every write fails (root ignores modes, so no chmod).
func blockOutput(t *testing.T, dir string) {
	t.Helper()
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// restoreOutput undoes blockOutput.
func restoreOutput(t *testing.T, dir string) {
	t.Helper()
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
}
