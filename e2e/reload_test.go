package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// reloadRig is an agent tailing one log per pipeline into one file
// output directory per pipeline, whose config the test rewrites and
// reloads with SIGHUP while the logs grow.
type reloadRig struct {
	dir, cfg, addr, dataDir string
	writers                 map[string]*fileWriter
	outs                    map[string]string
	p                       *proc
}

func newReloadRig(t *testing.T, pipes ...string) *reloadRig {
	r := &reloadRig{dir: t.TempDir(), addr: freeAddr(t), writers: map[string]*fileWriter{}, outs: map[string]string{}}
	r.cfg, r.dataDir = filepath.Join(r.dir, "config.hcl"), filepath.Join(r.dir, "data")
	for _, name := range pipes {
		r.addWriter(t, name)
	}
	return r
}

func (r *reloadRig) addWriter(t *testing.T, name string) {
	w := newFileWriter(t, filepath.Join(r.dir, name+".log"), 2*time.Millisecond)
	r.writers[name], r.outs[name] = w, filepath.Join(r.dir, "out-"+name)
	w.start()
}

// pipeline is a pipeline block; interval is its output's batch interval.
func (r *reloadRig) pipeline(name, interval string) string {
	return fmt.Sprintf("pipeline %q {\n%s%s}\n", name, fileInput(filepath.Join(r.dir, name+".log")+"*"),
		fileOutputWith("out", r.outs[name], outOpts{interval: interval}))
}

// write saves the config made of the given pipeline blocks.
func (r *reloadRig) write(t *testing.T, blocks ...string) {
	t.Helper()
	head := fmt.Sprintf("data_dir = %q\nmetrics_addr = %q\nshutdown_timeout = \"10s\"\n\n", r.dataDir, r.addr)
	if err := os.WriteFile(r.cfg, []byte(head+strings.Join(blocks, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reload sends SIGHUP and waits for the reload's outcome in the log: the
// summary of a valid reload, or the failure line of another.
func (r *reloadRig) reload(t *testing.T, valid bool) string {
	t.Helper()
	msg := `"msg":"config reloaded"`
	if !valid {
		msg = `"msg":"config reload failed; the running config stays"`
	}
	before := strings.Count(r.p.log(), msg)
	r.p.signal(syscall.SIGHUP)
	var line string
	if !waitFor(30*time.Second, func() bool {
		lines := logLines(r.p, msg)
		if len(lines) > before {
			line = lines[len(lines)-1]
			return true
		}
		return false
	}) {
		t.Fatalf("no %s in the agent log after SIGHUP", msg)
	}
	if !r.p.running() {
		t.Fatal("the agent exited on SIGHUP")
	}
	t.Logf("reload: %s", line)
	return line
}

// logLines returns every agent log line holding s.
func logLines(p *proc, s string) []string {
	var out []string
	for _, l := range strings.Split(p.log(), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}

// restarts counts the "pipeline stopping for reload" lines of a pipeline.
func restarts(p *proc, pipeline string) int {
	n := 0
	for _, l := range logLines(p, `"msg":"pipeline stopping for reload"`) {
		if strings.Contains(l, fmt.Sprintf(`"pipeline":%q`, pipeline)) {
			n++
		}
	}
	return n
}

// inputEvents is the pipeline's input events counter: it restarts from 0
// only when the pipeline restarts.
func (r *reloadRig) inputEvents(pipeline string) float64 {
	return metric(r.addr, "auditship_input_events_total", fmt.Sprintf("pipeline=%q", pipeline))
}

// finish stops the writers, waits until each pipeline's output holds
// every entry its log got, stops the agent and wants each exactly once.
func (r *reloadRig) finish(t *testing.T, stopped map[string][]string) {
	t.Helper()
	want := map[string][]string{}
	for name, w := range r.writers {
		if ids, ok := stopped[name]; ok {
			want[name] = ids
			continue
		}
		want[name] = w.stop()
	}
	for name, ids := range want {
		waitStored(t, r.outs[name], ids, 60*time.Second)
	}
	r.p.stop(30 * time.Second)
	for name, ids := range want {
		st, err := readStored(r.outs[name])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("pipeline %s: %d entries written, %v", name, len(ids), st)
		assertExact(t, st, ids)
	}
	checkLog(t, r.p)
}

// TestReloadWhileFlowing reloads the agent four times while three logs
// grow: an output changed in one pipeline (only that one restarts: the
// other's input counter and log show it was never stopped), an invalid
// config (every problem logged as FILE:LINE:COL, the agent keeps
// running), a pipeline added, a pipeline removed (its state kept, named
// in the log). Then every entry is stored exactly once, and the reloads
// are counted by result.
func TestReloadWhileFlowing(t *testing.T) {
	t.Parallel()
	r := newReloadRig(t, "a", "b")
	r.write(t, r.pipeline("a", "200ms"), r.pipeline("b", "200ms"))
	r.p = start(t, false, "run", "-c", r.cfg)
	time.Sleep(1500 * time.Millisecond)

	// 1. a's output changes; b stays as it is.
	bBefore := r.inputEvents("b")
	r.write(t, r.pipeline("a", "300ms"), r.pipeline("b", "200ms"))
	line := r.reload(t, true)
	if !strings.Contains(line, `"changed":["a"]`) || !strings.Contains(line, `"unchanged":["b"]`) {
		t.Errorf("summary: %s, want a changed and b unchanged", line)
	}
	if restarts(r.p, "a") != 1 || restarts(r.p, "b") != 0 {
		t.Errorf("restarts: a %d, b %d; want 1 and 0", restarts(r.p, "a"), restarts(r.p, "b"))
	}
	time.Sleep(time.Second)
	if bAfter := r.inputEvents("b"); bBefore <= 0 || bAfter <= bBefore {
		t.Errorf("b's input events %v then %v: its counter restarted or stood still", bBefore, bAfter)
	}

	// 2. An invalid config: logged, the running one stays.
	r.write(t, r.pipeline("a", "300ms"), strings.Replace(r.pipeline("b", "200ms"), "start_at", "strat_at", 1),
		`pipeline "x" { bogus = 1 }`+"\n")
	r.reload(t, false)
	problems := logLines(r.p, `"msg":"config reload: invalid config"`)
	if len(problems) < 2 {
		t.Errorf("%d problems logged, want each of the 2+ problems on its line", len(problems))
	}
	for _, l := range problems {
		if !strings.Contains(l, r.cfg+":") {
			t.Errorf("problem without FILE:LINE:COL: %s", l)
		}
	}
	time.Sleep(500 * time.Millisecond)

	// 3. A pipeline added.
	r.addWriter(t, "c")
	r.write(t, r.pipeline("a", "300ms"), r.pipeline("b", "200ms"), r.pipeline("c", "200ms"))
	line = r.reload(t, true)
	if !strings.Contains(line, `"added":["c"]`) || !strings.Contains(line, `"unchanged":["a","b"]`) {
		t.Errorf("summary: %s, want c added, a and b unchanged", line)
	}
	time.Sleep(time.Second)

	// 4. b removed: its log stops growing first, so all it got is stored.
	bIDs := r.writers["b"].stop()
	waitStored(t, r.outs["b"], bIDs, 30*time.Second)
	r.write(t, r.pipeline("a", "300ms"), r.pipeline("c", "200ms"))
	line = r.reload(t, true)
	if !strings.Contains(line, `"removed":["b"]`) || !strings.Contains(line, `"unchanged":["a","c"]`) {
		t.Errorf("summary: %s, want b removed, a and c unchanged", line)
	}
	if len(logLines(r.p, `"msg":"pipeline removed from the config`)) != 1 {
		t.Error("the removed pipeline is not named in the log")
	}
	time.Sleep(time.Second)

	if ok, bad := metric(r.addr, "auditship_config_reloads_total", `result="success"`),
		metric(r.addr, "auditship_config_reloads_total", `result="failure"`); ok != 3 || bad != 1 {
		t.Errorf("auditship_config_reloads_total: success %v, failure %v; want 3 and 1", ok, bad)
	}
	if restarts(r.p, "a") != 1 || restarts(r.p, "c") != 0 {
		t.Errorf("restarts: a %d, c %d; want 1 and 0", restarts(r.p, "a"), restarts(r.p, "c"))
	}
	r.finish(t, map[string][]string{"b": bIDs})
	if _, err := os.Stat(filepath.Join(r.dataDir, "pipelines", "b")); err != nil {
		t.Errorf("the removed pipeline's state: %v", err)
	}
}
