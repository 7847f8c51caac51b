package e2e

import (
	"os"
	"testing"
	"time"
)

// TestOutputOutage replaces the output's directory by a regular file for
// 5s while entries stream in on stdin, then restores it: with the backoff
// capped at 1s the output recovers, and after EOF run exits 0 with every
// entry stored exactly once.
func TestOutputOutage(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	cfg := config{dataDir: t.TempDir(), input: stdinInput(),
		outputs: []string{fileOutput("out", out)}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	result := make(chan feedResult, 1)
	go streamStdin(p, newEntryGen(t), 8*time.Second, result)

	time.Sleep(1500 * time.Millisecond)
	if err := os.Rename(out, out+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	if err := os.Remove(out); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out+".away", out); err != nil {
		t.Fatal(err)
	}

	r := <-result
	if r.err != nil {
		t.Fatalf("write stdin: %v", r.err)
	}
	if code := p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	st, err := readStored(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d entries streamed through the outage", len(r.ids))
	assertExact(t, st, r.ids)
	if lv := checkLog(t, p); lv["warn"]+lv["error"] == 0 {
		t.Error("the outage left no warn or error line in the agent log")
	}
}

type feedResult struct {
	ids []string
	err error
}

// streamStdin writes 10 entries every 20ms for d, then closes stdin.
func streamStdin(p *proc, g *entryGen, d time.Duration, result chan<- feedResult) {
	var r feedResult
	src := &source{}
	for end := time.Now().Add(d); time.Now().Before(end) && r.err == nil; {
		var ids []string
		ids, r.err = feed(p.stdin, g, src, 10)
		r.ids = append(r.ids, ids...)
		time.Sleep(20 * time.Millisecond)
	}
	if err := p.stdin.Close(); r.err == nil {
		r.err = err
	}
	result <- r
}
