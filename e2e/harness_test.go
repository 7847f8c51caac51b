// Package e2e drives the built auditship binary as a user would: real
// config files, real files and pipes, real signals, real logrotate.
package e2e

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binPath string
	update  = flag.Bool("update", false, "rewrite the golden files in testdata")
)

// TestMain builds the binary once. AUDITSHIP_BIN skips the build and uses
// that binary; E2E_RACE=1 builds it with the race detector.
func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if p := os.Getenv("AUDITSHIP_BIN"); p != "" {
		binPath = p
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "auditship-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binPath = filepath.Join(dir, "auditship")
	args := []string{"build", "-o", binPath}
	if os.Getenv("E2E_RACE") != "" {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, "./cmd/auditship")...)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: build auditship: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// proc is one running auditship process. Its stderr (the agent's log) is
// kept in a file and printed when the test fails.
type proc struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser // nil unless started with withStdin
	stdout  *syncBuffer
	logPath string
	done    chan struct{}
}

// syncBuffer is a bytes.Buffer safe for the copying goroutine of exec.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// start runs auditship with args. withStdin gives the test a pipe to feed.
func start(t *testing.T, withStdin bool, args ...string) *proc {
	t.Helper()
	return startEnv(t, withStdin, nil, args...)
}

// startEnv is start with env ("NAME=value") added to the test's own.
func startEnv(t *testing.T, withStdin bool, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, stdout: &syncBuffer{}, done: make(chan struct{})}
	p.logPath = filepath.Join(t.TempDir(), "agent.log")
	logFile, err := os.Create(p.logPath)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(binPath, args...)
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, logFile
	if withStdin {
		if p.stdin, err = p.cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start auditship: %v", err)
	}
	go func() { p.cmd.Wait(); logFile.Close(); close(p.done) }()
	t.Cleanup(p.cleanup)
	return p
}

// cleanup kills a process the test left running and shows its log when
// the test failed.
func (p *proc) cleanup() {
	if p.running() {
		p.cmd.Process.Kill()
		<-p.done
	}
	if p.t.Failed() {
		log, _ := os.ReadFile(p.logPath)
		p.t.Logf("auditship %v stderr:\n%s", p.cmd.Args[1:], log)
	}
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait returns the exit code (-1 when killed by a signal), failing the
// test when the process does not exit within d.
func (p *proc) wait(d time.Duration) int {
	p.t.Helper()
	select {
	case <-p.done:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		p.t.Fatalf("auditship still running after %v", d)
		return 0
	}
}

// stop sends SIGTERM and expects exit code 0 within d.
func (p *proc) stop(d time.Duration) {
	p.t.Helper()
	p.signal(syscall.SIGTERM)
	if code := p.wait(d); code != 0 {
		p.t.Fatalf("exit code after SIGTERM = %d, want 0", code)
	}
}

// kill sends SIGKILL and reaps the process.
func (p *proc) kill() {
	p.t.Helper()
	p.signal(syscall.SIGKILL)
	p.wait(10 * time.Second)
}

// log returns what the process wrote to stderr so far.
func (p *proc) log() string {
	b, _ := os.ReadFile(p.logPath)
	return string(b)
}

// runOnce runs auditship to completion and returns stdout, stderr and
// the exit code.
func runOnce(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	p := start(t, false, args...)
	code = p.wait(30 * time.Second)
	return p.stdout.String(), p.log(), code
}

// waitFor polls cond every 100ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkLog wants the agent's stderr as JSON lines (it is not a terminal)
// and none of the event data in it (SPEC §1): the leak markers are values
// of the first sample entry. It returns the count of lines per level.
func checkLog(t *testing.T, p *proc) map[string]int {
	t.Helper()
	levels := map[string]int{}
	markers := []string{"1818e811-892f-402b-923f-0824128b2f33", "c2868173-d237-37cf-a04f-f4ca8e37cafa"}
	for _, line := range strings.Split(strings.TrimSpace(p.log()), "\n") {
		var entry struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &entry); err != nil || entry.Level == "" || entry.Msg == "" {
			t.Errorf("agent log line is not JSON with level and msg: %q", line)
		}
		levels[entry.Level]++
		for _, m := range markers {
			if strings.Contains(line, m) {
				t.Errorf("event data %q in the agent log: %s", m, line)
			}
		}
	}
	return levels
}
