package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestOutageResumesPromptly (issue 7, defect 11): with the default retry
// (100ms doubling to a 30s cap) the file output's directory is taken away
// until 8 writes have failed, so that the wait in progress is 6.4–12.8s.
// The directory then comes back mid-wait: the sender's probe (every second)
// must see it and write at once, within 3s, rather than sleep out the rest
// of the backoff step. After EOF every entry is stored exactly once.
func TestOutageResumesPromptly(t *testing.T) {
	t.Parallel()
	const failures = 8 // the next wait is uniform in [6.4s, 12.8s]
	addr, out := freeAddr(t), t.TempDir()
	cfg := config{dataDir: t.TempDir(), metrics: addr, input: stdinInput(),
		outputs: []string{defaultRetryOutput("out", out)}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	g, src := newEntryGen(t), &source{}
	ids := writeStdin(t, p, g, src, 20)
	waitStored(t, out, ids, 15*time.Second)

	retryable := []string{`kind="retryable"`, `output="out"`}
	before := metric(addr, "auditship_output_send_errors_total", retryable...)
	blockOutput(t, out)
	down := time.Now()
	ids = append(ids, writeStdin(t, p, g, src, 20)...)
	waitMetric(t, addr, "auditship_output_send_errors_total", 20*time.Second,
		func(v float64) bool { return v >= before+failures }, retryable...)
	restoreOutput(t, out)
	back := time.Now()

	st := waitStored(t, out, ids, 20*time.Second)
	resumed := time.Since(back)
	t.Logf("down %v (%d failed writes); stored %v after the directory came back",
		back.Sub(down).Round(time.Millisecond), failures, resumed.Round(time.Millisecond))
	if resumed > 3*time.Second {
		t.Errorf("entries stored %v after the directory came back, want within 3s (one probe gap)", resumed)
	}
	p.stdin.Close()
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, st, ids)
}

// defaultRetryOutput is a file output with a short batch interval and the
// default retry settings (no retry block).
func defaultRetryOutput(name, dir string) string {
	return fmt.Sprintf(`  output "file" %q {
    path = %q
    batch {
      interval = "200ms"
    }
  }
`, name, dir)
}
