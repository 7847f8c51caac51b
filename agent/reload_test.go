package agent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/metrics"
)

func writeReloadConfig(t *testing.T, dir string, interval string, extra string) string {
	t.Helper()
	block := func(name, interval string) string {
		return fmt.Sprintf(`pipeline %q {
  input "file" "app" {
    paths  = [%q]
    format = "json"
  }
  output "file" "out" {
    path = %q
    batch { interval = %q }
  }
}
`, name, filepath.Join(dir, name+".log"), filepath.Join(dir, "out-"+name), interval)
	}
	path := filepath.Join(dir, "c.hcl")
	src := block("a", interval) + block("b", "1s") + extra
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A reload restarts the changed pipeline only: the unchanged one is the
// same running pipeline, its goroutines never stopped.
func TestReloadKeepsUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := writeReloadConfig(t, dir, "1s", "")
	load := func() (*config.Config, config.Diagnostics) { return config.Load(path, Components()) }
	cfg, diags := load()
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	reload := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sv := newSupervisor(ctx, cfg, Options{DataDir: filepath.Join(dir, "data"), Logger: zap.NewNop(),
		Reload: reload, Load: load}, metrics.New())
	if err := sv.startAll(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- sv.wait() }()
	before := byName(sv.snapshot())

	writeReloadConfig(t, dir, "2s", `pipeline "c" {
  input "file" "app" {
    paths  = ["`+filepath.Join(dir, "c.log")+`"]
    format = "json"
  }
  output "stdout" "console" {}
}
`)
	reload <- struct{}{}
	var after map[string]*runningPipe
	deadline := time.Now().Add(20 * time.Second)
	for after = byName(sv.snapshot()); after["c"] == nil || after["a"] == before["a"]; after = byName(sv.snapshot()) {
		if time.Now().After(deadline) {
			t.Fatalf("reload not applied: %v", after)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if after["b"] != before["b"] {
		t.Error("the unchanged pipeline b was restarted")
	}
	select {
	case <-before["b"].done:
		t.Error("the unchanged pipeline b stopped")
	case <-before["a"].done: // the changed one ended before its successor started
	}
	cancel()
	if err := <-waited; err != nil {
		t.Errorf("wait: %v", err)
	}
}

func byName(rs []*runningPipe) map[string]*runningPipe {
	m := map[string]*runningPipe{}
	for _, r := range rs {
		m[r.pc.Name] = r
	}
	return m
}
