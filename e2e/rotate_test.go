package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const logrotateBin = "/usr/sbin/logrotate"

// requireLogrotate skips without logrotate, except in CI where it must be
// installed (Debian package logrotate).
func requireLogrotate(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(logrotateBin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: apt-get install logrotate (%v)", logrotateBin, err)
		}
		t.Skipf("%s not installed", logrotateBin)
	}
}

// logrotate forces one rotation of log in the given mode ("create" or
// "copytruncate"), with its state file beside the log.
func logrotate(t *testing.T, log, mode string) {
	t.Helper()
	dir := filepath.Dir(log)
	conf := filepath.Join(dir, "logrotate-"+mode+".conf")
	text := fmt.Sprintf("%s {\n  %s\n  rotate 5\n  missingok\n}\n", log, mode)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(logrotateBin, "-f", "-s", filepath.Join(dir, "logrotate.state"), conf)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("logrotate %s: %v\n%s", mode, err, out)
	}
}

// TestLogrotate tails a log that a writer keeps appending to while the
// real logrotate rotates it: three times in create mode, then twice in
// copytruncate mode with the writer paused around each rotation (its
// copy-then-truncate window loses writes by design). Every entry written
// must be stored exactly once.
func TestLogrotate(t *testing.T) {
	t.Parallel()
	requireLogrotate(t)
	logDir, out := t.TempDir(), t.TempDir()
	log := filepath.Join(logDir, "app.log")
	w := newFileWriter(t, log, 2*time.Millisecond)
	cfg := config{dataDir: t.TempDir(), input: fileInput(log + "*"),
		outputs: []string{fileOutput("out", out)}}.write(t)
	p := start(t, false, "run", "-c", cfg)
	w.start()
	for range 3 {
		time.Sleep(700 * time.Millisecond)
		logrotate(t, log, "create")
	}
	for range 2 {
		time.Sleep(700 * time.Millisecond)
		rotatePaused(t, w, log)
	}
	time.Sleep(700 * time.Millisecond)
	ids := w.stop()
	t.Logf("%d entries written across rotations", len(ids))
	s := waitStored(t, out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, s, ids)
}

// rotatePaused runs a copytruncate rotation with the writer held. The
// agent may lag behind: it must finish the original's tail from the copy
// (same fingerprint) without reading the copy's head twice.
func rotatePaused(t *testing.T, w *fileWriter, log string) {
	t.Helper()
	w.pause()
	defer w.resume()
	logrotate(t, log, "copytruncate")
}

// TestWriterTracksRotations checks the harness without the agent: the
// _ids the writer predicts equal those computed from the files logrotate
// leaves (a copytruncate copy repeats its original's _ids).
func TestWriterTracksRotations(t *testing.T) {
	t.Parallel()
	requireLogrotate(t)
	log := filepath.Join(t.TempDir(), "app.log")
	w := newFileWriter(t, log, time.Millisecond)
	w.start()
	for _, mode := range []string{"create", "create", "copytruncate"} {
		time.Sleep(200 * time.Millisecond)
		if mode == "create" {
			logrotate(t, log, mode)
		} else {
			rotatePaused(t, w, log)
		}
	}
	time.Sleep(200 * time.Millisecond)
	ids := w.stop()
	got := map[string]bool{}
	files, _ := filepath.Glob(log + "*")
	if len(files) != 4 {
		t.Errorf("files after 3 rotations: %v, want 4", files)
	}
	for _, f := range files {
		for _, id := range idsOfFile(t, f) {
			got[id] = true
		}
	}
	s := stored{ids: map[string]int{}}
	for id := range got {
		s.ids[id] = 1
	}
	assertAtLeastOnce(t, s, ids)
}

// idsOfFile computes the _ids of every line of a JSON-lines file.
func idsOfFile(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var src source
	for _, line := range bytes.SplitAfter(b, []byte("\n")) {
		if len(line) > 0 {
			ids = append(ids, src.add(bytes.TrimSuffix(line, []byte("\n"))))
		}
	}
	return ids
}
