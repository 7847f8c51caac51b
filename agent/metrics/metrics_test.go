package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func get(t *testing.T, h http.HandlerFunc) (int, Status) {
	t.Helper()
	rec := httptest.NewRecorder()
	h(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	var st Status
	if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return rec.Code, st
}

func TestReadyz(t *testing.T) {
	r := New()
	r.Pipeline("orders", []string{"archive", "db"})
	r.Pipeline("hr", []string{"console"})
	if code, st := get(t, r.serveReady); code != http.StatusServiceUnavailable || len(st.Problems) == 0 {
		t.Errorf("starting: %d %+v, want 503", code, st)
	}
	r.Started()
	if code, st := get(t, r.serveReady); code != http.StatusOK || st.Status != "ok" || len(st.Pipelines) != 2 {
		t.Fatalf("all well: %d %+v", code, st)
	}
	cases := []struct {
		name   string
		set    func()
		pipe   string
		output string // "" = the pipeline itself
		says   string
	}{
		{"held", func() { r.SetHealthy("orders/archive", false) }, "orders", "archive", "permanent error"},
		{"retrying", func() { r.SetProblem("orders", "db", "not delivering: 3 retryable errors") }, "orders", "db", "retryable"},
		{"buffer full", func() { r.SetProblem("hr", "", "buffer full") }, "hr", "", "buffer full"},
		{"failed to start", func() { r.PipelineFailed("new", errors.New("boom")) }, "new", "", "failed to start: boom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.set()
			code, st := get(t, r.serveReady)
			if code != http.StatusServiceUnavailable || st.Status != "not ready" {
				t.Fatalf("%d %+v, want 503 not ready", code, st)
			}
			if got := problemOf(st, c.pipe, c.output); !strings.Contains(got, c.says) {
				t.Errorf("%s/%s: problem %q, want %q", c.pipe, c.output, got, c.says)
			}
		})
	}
	r.SetHealthy("orders/archive", true)
	r.SetProblem("orders", "db", "")
	r.SetProblem("hr", "", "")
	r.RemovePipeline("new")
	r.SetProblem("gone", "", "buffer full") // a pipeline removed meanwhile: ignored
	if code, st := get(t, r.serveReady); code != http.StatusOK || len(st.Pipelines) != 2 {
		t.Errorf("after recovery: %d %+v", code, st)
	}
}

func problemOf(st Status, pipe, output string) string {
	for _, p := range st.Pipelines {
		if p.Name != pipe {
			continue
		}
		if output == "" && !p.Ready {
			return strings.Join(p.Problems, "; ")
		}
		for _, o := range p.Outputs {
			if o.Name == output && !o.Ready && !p.Ready {
				return strings.Join(o.Problems, "; ")
			}
		}
	}
	return ""
}

// An output reported held by a sender the agent did not announce (unit
// tests of delivery) is still named.
func TestReadyzUnannounced(t *testing.T) {
	r := New()
	r.Started()
	r.SetHealthy("p/o", false)
	if code, st := get(t, r.serveReady); code != http.StatusServiceUnavailable || problemOf(st, "p", "o") == "" {
		t.Errorf("%d %+v", code, st)
	}
}

func TestHealthz(t *testing.T) {
	r := New()
	r.Pipeline("orders", nil)
	if code, _ := get(t, r.serveHealth); code != http.StatusOK {
		t.Errorf("before the first beat: %d", code)
	}
	r.Beat()
	if code, st := get(t, r.serveHealth); code != http.StatusOK || st.Pipelines[0].Name != "orders" {
		t.Errorf("after a beat: %d %+v", code, st)
	}
	r.h.mu.Lock()
	r.h.lastBeat = time.Now().Add(-time.Minute)
	r.h.mu.Unlock()
	if code, st := get(t, r.serveHealth); code != http.StatusServiceUnavailable || st.Status != "stalled" {
		t.Errorf("watchdog late: %d %+v", code, st)
	}
}

// A restarted pipeline registers the same collectors again on a fresh
// child; a removed one's metrics are gone; Gather sees them all.
func TestPipelineRegistries(t *testing.T) {
	r := New()
	count := func(reg *Registry) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x_total", Help: "x"})
		Wrap(reg, "orders", "output", "o").MustRegister(c)
		return c
	}
	count(r.Pipeline("orders", nil)).Add(2)
	count(r.Pipeline("orders", nil)).Inc() // a restart: no duplicate registration
	if n, err := testutil.GatherAndCount(r, "x_total"); err != nil || n != 1 {
		t.Errorf("series after restart: %d, %v", n, err)
	}
	r.CountReload(true)
	if v := testutil.ToFloat64(r.reloads.WithLabelValues("success")); v != 1 {
		t.Errorf("reloads success = %v", v)
	}
	r.RemovePipeline("orders")
	if n, _ := testutil.GatherAndCount(r, "x_total"); n != 0 {
		t.Errorf("series after removal: %d", n)
	}
}

func TestServerClose(t *testing.T) {
	r := New()
	var served error
	srv, err := r.Serve("127.0.0.1:0", func(err error) { served = err })
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(context.Background()); err != nil || served != nil {
		t.Errorf("close: %v, serve error %v", err, served)
	}
}
