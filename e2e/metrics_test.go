package e2e

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freeAddr returns a loopback address with a port free right now, for
// metrics_addr. The agent binds it a moment later; a clash is unlikely.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// metricsClient keeps scrapes from hanging a test on a wedged agent.
var metricsClient = &http.Client{Timeout: 2 * time.Second}

// scrape returns every sample of /metrics, keyed by the series as written
// (name and labels, e.g. `x_total{kind="retryable",output="out"}`).
func scrape(addr string) (map[string]float64, error) {
	resp, err := metricsClient.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return parseMetrics(resp.Body)
}

func parseMetrics(r io.Reader) (map[string]float64, error) {
	out := map[string]float64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out, sc.Err()
}

// metric sums the series of name whose labels include every one given
// as `key="value"`; -1 when the scrape failed.
func metric(addr, name string, labels ...string) float64 {
	m, err := scrape(addr)
	if err != nil {
		return -1
	}
	sum := 0.0
	for series, v := range m {
		if seriesName(series) == name && hasLabels(series, labels) {
			sum += v
		}
	}
	return sum
}

func seriesName(series string) string {
	if i := strings.IndexByte(series, '{'); i >= 0 {
		return series[:i]
	}
	return series
}

func hasLabels(series string, labels []string) bool {
	for _, l := range labels {
		if !strings.Contains(series, l) {
			return false
		}
	}
	return true
}

// waitMetric polls name until cond holds for its value, failing the
// test after d; it returns the last value.
func waitMetric(t *testing.T, addr, name string, d time.Duration, cond func(float64) bool, labels ...string) float64 {
	t.Helper()
	var v float64
	if !waitFor(d, func() bool { v = metric(addr, name, labels...); return v >= 0 && cond(v) }) {
		t.Fatalf("%s%v = %v after %v", name, labels, v, d)
	}
	return v
}

func TestParseMetrics(t *testing.T) {
	text := "# HELP a_total x\n# TYPE a_total counter\n" +
		"a_total{kind=\"retryable\",output=\"out\"} 3\na_total{kind=\"permanent\",output=\"out\"} 1\nb 2.5e+06\n"
	m, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := m[`a_total{kind="retryable",output="out"}`]; got != 3 {
		t.Errorf("retryable = %v, want 3", got)
	}
	if got := m["b"]; got != 2.5e6 {
		t.Errorf("b = %v, want 2.5e6", got)
	}
	if !hasLabels(`a_total{kind="retryable",output="out"}`, []string{`kind="retryable"`}) {
		t.Error("hasLabels missed kind")
	}
}

// TestFsyncsGoThroughSharedFlushes: the agent's fsyncs (buffer, spool,
// journal, batch files, state) are shared flushes of the filesystem
// (internal/fsutil), counted in auditship_fs_flushes_total, and every
// entry is stored exactly once through them. AUDITSHIP_FSYNC=file turns
// them off: the counter stays at zero.
func TestFsyncsGoThroughSharedFlushes(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"group", "file"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			env := []string{"AUDITSHIP_FSYNC=" + mode}
			addr, out := freeAddr(t), t.TempDir()
			log := filepath.Join(t.TempDir(), "app.log")
			cfg := config{dataDir: t.TempDir(), metrics: addr, input: fileInput(log + "*"),
				outputs: []string{fileOutputWith("out", out, outOpts{})}}.write(t)
			w := newFileWriter(t, log, 2*time.Millisecond)
			p := startEnv(t, false, env, "run", "-c", cfg)
			w.start()
			waitMetric(t, addr, "auditship_output_events_total", 10*time.Second, func(v float64) bool { return v > 0 })
			time.Sleep(time.Second)
			ids := w.stop()
			st := waitStored(t, out, ids, 30*time.Second)
			flushes, fsyncs := metric(addr, "auditship_fs_flushes_total"), metric(addr, "auditship_buffer_fsyncs_total")
			p.stop(15 * time.Second)
			assertExact(t, st, ids)
			t.Logf("%s: %d entries, %v buffer fsyncs, %v shared flushes", mode, len(ids), fsyncs, flushes)
			switch {
			case fsyncs == 0:
				t.Fatal("no buffer fsync counted")
			case mode == "group" && flushes == 0:
				t.Fatal("no shared flush: the agent's fsyncs do not go through internal/fsutil's group")
			case mode == "file" && flushes != 0:
				t.Fatalf("%v shared flushes with AUDITSHIP_FSYNC=file, want 0", flushes)
			}
		})
	}
}
