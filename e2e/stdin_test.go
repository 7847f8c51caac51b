package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeStdin feeds n generated entries to p's stdin and returns their
// _ids, computed as the continuation of src.
func writeStdin(t *testing.T, p *proc, g *entryGen, src *source, n int) []string {
	t.Helper()
	ids, err := feed(p.stdin, g, src, n)
	if err != nil {
		t.Fatalf("write stdin: %v", err)
	}
	return ids
}

// feed writes n entries to w; safe to call from any goroutine.
func feed(w io.Writer, g *entryGen, src *source, n int) ([]string, error) {
	bw := bufio.NewWriter(w)
	ids := make([]string, 0, n)
	for range n {
		line := g.next()
		ids = append(ids, src.add(line))
		bw.Write(line)
		bw.WriteByte('\n')
	}
	return ids, bw.Flush()
}

// TestStdin pipes N entries in: run exits 0 after EOF once all is
// delivered, the file output holds exactly the N entries, and stdout
// starts with FORMATS.md's golden line.
func TestStdin(t *testing.T) {
	t.Parallel()
	const n = 2000
	out, dataDir := t.TempDir(), t.TempDir()
	unused := filepath.Join(t.TempDir(), "overridden")
	cfg := config{dataDir: unused, input: stdinInput(),
		outputs: []string{fileOutput("out", out), stdoutOutput()}}.write(t)
	p := start(t, true, "run", "-c", cfg, "--data-dir", dataDir)
	ids := writeStdin(t, p, newEntryGen(t), &source{}, n)
	p.stdin.Close()
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	s, err := readStored(out)
	if err != nil {
		t.Fatal(err)
	}
	assertExact(t, s, ids)
	checkStdout(t, p.stdout.String(), ids)
	checkLog(t, p)
	if _, err := os.Stat(unused); err == nil {
		t.Errorf("--data-dir did not override data_dir: %s was created", unused)
	}
}

// checkStdout compares the first line with the golden one and checks
// every entry was printed (at-least-once: duplicates allowed).
func checkStdout(t *testing.T, stdout string, ids []string) {
	t.Helper()
	first, _, _ := strings.Cut(stdout, "\n")
	golden := filepath.Join("testdata", "stdout_first.golden.json")
	if *update {
		os.WriteFile(golden, []byte(first+"\n"), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if first != string(bytes.TrimSuffix(want, []byte("\n"))) {
		t.Errorf("first stdout line:\n got %s\nwant %s", first, want)
	}
	s := stored{ids: map[string]int{}}
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var env struct {
			ID string `json:"_id"`
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil {
			t.Fatalf("stdout line %q: %v", line, err)
		}
		s.lines++
		s.ids[env.ID]++
	}
	assertAtLeastOnce(t, s, ids)
}

// TestStdinShutdownTimeout: with the only output failing, EOF on stdin
// makes run give up after shutdown_timeout and exit 1 (data kept).
func TestStdinShutdownTimeout(t *testing.T) {
	t.Parallel()
	cfg := config{dataDir: t.TempDir(), shutdown: "2s", input: stdinInput(),
		outputs: []string{fileOutput("out", blockedDir(t))}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	writeStdin(t, p, newEntryGen(t), &source{}, 10)
	time.Sleep(500 * time.Millisecond) // let the entries reach the buffer
	eof := time.Now()
	p.stdin.Close()
	code := p.wait(30 * time.Second)
	elapsed := time.Since(eof)
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if elapsed < 1500*time.Millisecond || elapsed > 10*time.Second {
		t.Errorf("exited %v after EOF, want about shutdown_timeout (2s)", elapsed)
	}
}
