package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestAzureInvalidContainerDeadLetter routes by container =
// "{{ workflowDefinitionId }}": the entries of flow "!!" render a
// container name that cannot be made valid, so their batches go to the
// dead-letter directory (index.jsonl counts them), and every other entry
// is stored exactly once.
func TestAzureInvalidContainerDeadLetter(t *testing.T) {
	t.Parallel()
	st := sharedAzure(t).store(t)
	st.container = "{{ workflowDefinitionId }}"
	dataDir := t.TempDir()
	cfg := config{dataDir: dataDir, input: stdinInput(),
		outputs: []string{st.output(storeOpts{interval: "200ms"})}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	good, bad := feedFlows(t, p, 2000, st.prefix+"-ok")
	p.stdin.Close()
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	s, err := tally(st.objects(t))
	if err != nil {
		t.Fatal(err)
	}
	assertExact(t, s, good)
	if n := deadLettered(t, dataDir); n != bad {
		t.Errorf("dead-letter index counts %d events, want the %d of flow \"!!\"", n, bad)
	}
	if lv := checkLog(t, p); lv["error"] == 0 {
		t.Error("no error logged for the dead-lettered batches")
	}
}

var flowField = regexp.MustCompile(`"workflowDefinitionId":"[^"]*"`)

// feedFlows writes n entries to stdin, every fifth of flow "!!", the
// others of flow ok; it returns the others' _ids and the count of "!!".
func feedFlows(t *testing.T, p *proc, n int, ok string) (good []string, bad int) {
	t.Helper()
	g, src := newEntryGen(t), &source{}
	bw := bufio.NewWriter(p.stdin)
	for i := range n {
		flow := []byte(`"workflowDefinitionId":"` + ok + `"`)
		if i%5 == 0 {
			flow, bad = []byte(`"workflowDefinitionId":"!!"`), bad+1
		}
		line := flowField.ReplaceAll(g.next(), flow)
		if id := src.add(line); i%5 != 0 {
			good = append(good, id)
		}
		bw.Write(append(line, '\n'))
	}
	if err := bw.Flush(); err != nil {
		t.Fatalf("write stdin: %v", err)
	}
	return good, bad
}

// deadLettered sums the event counts of the output's dead-letter index.
func deadLettered(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(outputDir(dataDir, "arch"), "deadletter", "index.jsonl"))
	if err != nil {
		t.Fatalf("dead-letter index: %v", err)
	}
	n := 0
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var e struct{ Count int }
		if err := json.Unmarshal(line, &e); err != nil {
			t.Fatalf("dead-letter index line %q: %v", line, err)
		}
		n += e.Count
	}
	return n
}
