package delivery

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/agent/state"
)

// TestRemovedOutputWithUndeliveredEventsStopsTheRun: an output dropped from
// the config whose cursor is behind its pipeline's buffer (or that holds a
// journaled batch) stops `run` unless --discard-state names it; state that
// holds nothing is kept and logged.
func TestRemovedOutputWithUndeliveredEventsStopsTheRun(t *testing.T) {
	data := t.TempDir()
	pdir := state.PipelineDir(data, "p")
	buf, err := buffer.Open(buffer.Options{Dir: filepath.Join(pdir, "buffer")})
	if err != nil {
		t.Fatal(err)
	}
	appendEvents(t, buf, 3) // head is now 4
	buf.Close()
	for name, next := range map[string]string{"behind": `{"next":2}`, "caughtup": `{"next":4}`} {
		dir := filepath.Join(pdir, "outputs", name)
		os.MkdirAll(dir, 0o700)
		os.WriteFile(filepath.Join(dir, "cursor.json"), []byte(next), 0o600)
	}
	cfg := &config.Config{Pipelines: []*config.Pipeline{{Name: "p", Enabled: true}}}
	err = CheckRemovedState(data, cfg, nil, zap.NewNop())
	if !errors.Is(err, ErrRemovedState) {
		t.Fatalf("err = %v, want ErrRemovedState naming p/behind", err)
	}
	if err := CheckRemovedState(data, cfg, []string{"p/behind"}, zap.NewNop()); err != nil {
		t.Fatalf("with --discard-state p/behind: %v", err)
	}
	if _, err := os.Stat(filepath.Join(pdir, "outputs", "behind")); !os.IsNotExist(err) {
		t.Fatal("discarded state still there")
	}
	if _, err := os.Stat(filepath.Join(pdir, "outputs", "caughtup")); err != nil {
		t.Fatal("state without undelivered events was deleted")
	}
	os.MkdirAll(filepath.Join(pdir, "outputs", "caughtup", "pending"), 0o700)
	os.WriteFile(filepath.Join(pdir, "outputs", "caughtup", "pending", "x.ndjson"), nil, 0o600)
	if err := CheckRemovedState(data, cfg, nil, zap.NewNop()); !errors.Is(err, ErrRemovedState) {
		t.Fatalf("a pending journaled batch: err = %v, want ErrRemovedState", err)
	}
}
