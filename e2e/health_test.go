package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// healthBody is the JSON of /healthz and /readyz.
type healthBody struct {
	Status    string
	Problems  []string
	Pipelines []struct {
		Name     string
		Ready    bool
		Problems []string
		Outputs  []struct {
			Name     string
			Ready    bool
			Problems []string
		}
	}
}

// health GETs /healthz or /readyz and decodes the JSON body.
func health(t *testing.T, addr, path string) (int, healthBody) {
	t.Helper()
	code, b, err := tryHealth(addr, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return code, b
}

func tryHealth(addr, path string) (int, healthBody, error) {
	var b healthBody
	resp, err := metricsClient.Get("http://" + addr + path)
	if err != nil {
		return 0, b, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&b); err != nil {
		return 0, b, fmt.Errorf("body is not JSON: %w", err)
	}
	return resp.StatusCode, b, nil
}

// outputProblem returns the problems /readyz lists for one output, and
// whether the output and its pipeline are marked not ready.
func outputProblem(b healthBody, pipeline, output string) (string, bool) {
	for _, p := range b.Pipelines {
		for _, o := range p.Outputs {
			if p.Name == pipeline && o.Name == output {
				return strings.Join(o.Problems, "; "), !o.Ready && !p.Ready
			}
		}
	}
	return "", false
}

// A missing bucket holds the output on a permanent error: /readyz answers
// 503 naming the pipeline, the output and why, /healthz 200; once the
// bucket exists, /readyz answers 200 without a restart.
func TestHealthHeldThenRecovered(t *testing.T) {
	t.Parallel()
	st := sharedS3(t).store(t, false)
	h := startHeld(t, st, 200)
	h.waitLog(t, "output failing permanently")
	code, b := health(t, h.addr, "/readyz")
	why, down := outputProblem(b, "e2e", "arch")
	if code != http.StatusServiceUnavailable || b.Status != "not ready" || !down || !strings.Contains(why, "permanent error") {
		t.Errorf("/readyz held: %d %+v, want 503 naming e2e/arch held on a permanent error", code, b)
	}
	if code, b := health(t, h.addr, "/healthz"); code != http.StatusOK || b.Status != "ok" {
		t.Errorf("/healthz: %d %+v, want 200", code, b)
	}
	st.create(t)
	s, _ := waitObjects(t, st, h.ids, 20*time.Second)
	if !waitFor(5*time.Second, func() bool { c, _ := health(t, h.addr, "/readyz"); return c == http.StatusOK }) {
		_, b := health(t, h.addr, "/readyz")
		t.Errorf("/readyz after recovery: %+v, want 200", b)
	}
	h.p.stdin.Close()
	if code := h.p.wait(30 * time.Second); code != 0 {
		t.Fatalf("exit code after EOF = %d, want 0", code)
	}
	assertExact(t, s, h.ids)
	checkLog(t, h.p)
}

// A file output whose directory is a regular file fails with retryable
// errors: /readyz names it as not delivering. At SIGTERM the server keeps
// answering while the pipeline drains (shutdown_timeout 3s), then the
// agent exits 0 with the events kept.
func TestHealthRetryingAndDrain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outDir := filepath.Join(dir, "out")
	if err := os.WriteFile(outDir, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cfg := config{dataDir: filepath.Join(dir, "data"), metrics: addr, shutdown: "3s", input: stdinInput(),
		outputs: []string{fileOutput("files", outDir)}}.write(t)
	p := start(t, true, "run", "-c", cfg)
	writeStdin(t, p, newEntryGen(t), &source{}, 20)
	var b healthBody
	if !waitFor(20*time.Second, func() bool {
		code, body, _ := tryHealth(addr, "/readyz")
		b = body
		why, down := outputProblem(b, "e2e", "files")
		return code == http.StatusServiceUnavailable && down && strings.Contains(why, "retryable")
	}) {
		t.Fatalf("/readyz never named output files as retrying: %+v", b)
	}
	p.signal(syscall.SIGTERM)
	time.Sleep(time.Second) // draining now
	if code, b := health(t, addr, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz during the drain: %d %+v, want 200", code, b)
	}
	if code := p.wait(20 * time.Second); code != 0 {
		t.Fatalf("exit code = %d, want 0", code)
	}
	if _, err := metricsClient.Get("http://" + addr + "/healthz"); err == nil {
		t.Error("the metrics server still answers after exit")
	}
	checkLog(t, p)
}
