package e2e

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// smallTmpfs mounts an 8MiB tmpfs on a fresh directory (root only). It
// skips when mounting is not permitted, except in CI where it fails.
func smallTmpfs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput()
	if err != nil {
		msg := "mount -t tmpfs (needs root or CAP_SYS_ADMIN): " + err.Error() + ": " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// filler takes every byte of free space on a file system, and keeps
// taking what is freed, until stopped; then it deletes its file.
type filler struct {
	path  string
	full  chan struct{} // closed at the first ENOSPC
	stopc chan struct{}
	wg    sync.WaitGroup
	err   error
}

func startFiller(dir string) *filler {
	f := &filler{path: filepath.Join(dir, "filler"), full: make(chan struct{}), stopc: make(chan struct{})}
	f.wg.Add(1)
	go f.run()
	return f
}

func (f *filler) run() {
	defer f.wg.Done()
	file, err := os.Create(f.path)
	if err != nil {
		f.err = err
		close(f.full)
		return
	}
	defer file.Close()
	chunk := make([]byte, 4096)
	once := sync.OnceFunc(func() { close(f.full) })
	for {
		_, err := file.Write(chunk)
		switch {
		case errors.Is(err, syscall.ENOSPC):
			once()
			select {
			case <-f.stopc:
				return
			case <-time.After(10 * time.Millisecond):
			}
		case err != nil:
			f.err = err
			once()
			return
		}
	}
}

// stop ends the filling and frees the space.
func (f *filler) stop(t *testing.T) {
	t.Helper()
	close(f.stopc)
	f.wg.Wait()
	if f.err != nil {
		t.Fatalf("filler: %v", f.err)
	}
	if err := os.Remove(f.path); err != nil {
		t.Fatal(err)
	}
}

// TestFullDisk fills the file system of data_dir while a writer appends:
// buffer appends fail (logged and counted), intake pauses, the agent keeps
// running; once space is freed it resumes, and nothing is lost.
func TestFullDisk(t *testing.T) {
	t.Parallel()
	dataDir := smallTmpfs(t)
	addr, out := freeAddr(t), t.TempDir()
	log := filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, metrics: addr, input: fileInput(log + "*"),
		outputs: []string{fileOutputWith("out", out, outOpts{})}}.write(t)
	w := newFileWriter(t, log, 5*time.Millisecond)
	p := start(t, false, "run", "-c", cfg)
	w.start()
	waitMetric(t, addr, "auditship_output_events_total", 10*time.Second, func(v float64) bool { return v > 0 })

	f := startFiller(dataDir)
	<-f.full
	waitMetric(t, addr, "auditship_buffer_append_errors_total", 10*time.Second, func(v float64) bool { return v > 0 })
	time.Sleep(time.Second) // it stays full for a while
	if !p.running() {
		t.Fatalf("the agent exited on a full disk with %d", p.cmd.ProcessState.ExitCode())
	}
	if !strings.Contains(p.log(), "buffer append failed") {
		t.Error("no 'buffer append failed' error in the agent log")
	}
	appended := metric(addr, "auditship_buffer_appended_records_total")
	f.stop(t)

	waitMetric(t, addr, "auditship_buffer_appended_records_total", 10*time.Second,
		func(v float64) bool { return v > appended })
	time.Sleep(500 * time.Millisecond)
	ids := w.stop()
	t.Logf("%d entries written, %v appended when space came back", len(ids), appended)
	st := waitStored(t, out, ids, 30*time.Second)
	p.stop(15 * time.Second)
	assertExact(t, st, ids)
	if !strings.Contains(p.log(), "intake resumed") {
		t.Error("no 'intake resumed' line in the agent log")
	}
}
