package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReloadPipelineFailsToStart adds a pipeline whose state directory
// cannot be made (a regular file is in its place): the reload is counted
// as a failure, /readyz answers 503 naming the pipeline, the others keep
// shipping. Once the obstacle is gone, the next reload starts it and
// everything of both logs is stored exactly once.
func TestReloadPipelineFailsToStart(t *testing.T) {
	t.Parallel()
	r := newReloadRig(t, "a")
	r.write(t, r.pipeline("a", "200ms"))
	r.p = start(t, false, "run", "-c", r.cfg)
	time.Sleep(time.Second)

	blocker := filepath.Join(r.dataDir, "pipelines", "c")
	if err := os.WriteFile(blocker, []byte("in the way"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.addWriter(t, "c")
	r.write(t, r.pipeline("a", "200ms"), r.pipeline("c", "200ms"))
	if line := r.reload(t, true); !strings.Contains(line, `"failed"`) || !strings.Contains(line, `"added":["c"]`) {
		t.Errorf("summary: %s, want c added and failed", line)
	}
	code, b := health(t, r.addr, "/readyz")
	if code != http.StatusServiceUnavailable || !pipelineProblem(b, "c", "failed to start") {
		t.Errorf("/readyz: %d %+v, want 503 naming pipeline c failed to start", code, b)
	}
	if bad := metric(r.addr, "auditship_config_reloads_total", `result="failure"`); bad != 1 {
		t.Errorf("reload failures counted: %v, want 1", bad)
	}

	if err := os.Remove(blocker); err != nil {
		t.Fatal(err)
	}
	if line := r.reload(t, true); strings.Contains(line, `"failed"`) || !strings.Contains(line, `"added":["c"]`) {
		t.Errorf("summary: %s, want c added and started", line)
	}
	if !waitFor(10*time.Second, func() bool { c, _, _ := tryHealth(r.addr, "/readyz"); return c == http.StatusOK }) {
		_, b := health(t, r.addr, "/readyz")
		t.Errorf("/readyz after c started: %+v, want 200", b)
	}
	if restarts(r.p, "a") != 0 {
		t.Errorf("pipeline a restarted %d times, want 0", restarts(r.p, "a"))
	}
	r.finish(t, nil)
}

// pipelineProblem reports whether /readyz marks the pipeline not ready
// with a problem holding s.
func pipelineProblem(b healthBody, pipeline, s string) bool {
	for _, p := range b.Pipelines {
		if p.Name == pipeline && !p.Ready && strings.Contains(strings.Join(p.Problems, "; "), s) {
			return true
		}
	}
	return false
}
