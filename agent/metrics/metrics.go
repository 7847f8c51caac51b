// Package metrics holds the agent's Prometheus registry and serves
// /metrics, /healthz and /readyz.
package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/internal/fsutil"
)

// Registry is the agent's metrics plus the health of its pipelines. The
// root registry holds the process collectors; each running pipeline
// registers its components on a child (Pipeline) that is replaced when
// the pipeline restarts on a reload, so its collectors register afresh.
// Gather and the health setters of a child act on the root.
type Registry struct {
	*prometheus.Registry
	root    *Registry              // nil for the root itself
	reloads *prometheus.CounterVec // root only
	h       *health                // shared by the root and its children
}

// New returns a registry with the Go and process collectors and the
// config reload counter.
func New() *Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reloads := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditship_config_reloads_total",
		Help: "Configuration reloads (SIGHUP) by result: success (applied) or failure (invalid, or a pipeline " +
			"failed to start)."}, []string{"result"})
	reloads.WithLabelValues("success")
	reloads.WithLabelValues("failure")
	r.MustRegister(reloads)
	r.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "auditship_fs_flushes_total",
		Help: "Shared flushes (syncfs) of a filesystem, each standing for every fsync asked for while the " +
			"one before it ran."}, func() float64 { return float64(fsutil.Flushes()) }))
	return &Registry{Registry: r, reloads: reloads, h: newHealth()}
}

// Wrap returns a registerer that labels a component's metrics with its
// pipeline and its kind's name (input, processor or output).
func Wrap(reg *Registry, pipeline, kind, name string) prometheus.Registerer {
	return prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pipeline, kind: name}, reg)
}

func (r *Registry) top() *Registry {
	if r.root != nil {
		return r.root
	}
	return r
}

// Pipeline returns a fresh child registry for the named pipeline, whose
// enabled outputs are listed, replacing (and unregistering) the one of an
// earlier start and forgetting its health.
func (r *Registry) Pipeline(name string, outputs []string) *Registry {
	t := r.top()
	c := &Registry{Registry: prometheus.NewRegistry(), root: t, h: t.h}
	t.h.add(name, outputs, c.Registry)
	return c
}

// PipelineFailed records a pipeline that could not start: /readyz names
// it, with err, until it starts or is removed.
func (r *Registry) PipelineFailed(name string, err error) {
	r.h.failed(name, err)
}

// RemovePipeline forgets a stopped pipeline: its metrics and its health.
func (r *Registry) RemovePipeline(name string) { r.h.remove(name) }

// Gather collects the root's metrics and every pipeline's.
func (r *Registry) Gather() ([]*dto.MetricFamily, error) {
	t := r.top()
	return append(prometheus.Gatherers{t.Registry}, t.h.gatherers()...).Gather()
}

// CountReload counts one configuration reload.
func (r *Registry) CountReload(ok bool) {
	result := "failure"
	if ok {
		result = "success"
	}
	r.top().reloads.WithLabelValues(result).Inc()
}

// SetHealthy records whether the named output ("pipeline/output") can
// currently write: false while it is held on a permanent error.
func (r *Registry) SetHealthy(name string, ok bool) { r.h.setHeld(name, !ok) }

// SetProblem records what is wrong with a running pipeline (output "")
// or one of its outputs, as the agent sees it ("" clears it): buffer
// full, not delivering. It is separate from SetHealthy's view, and
// ignored for a pipeline not (or no longer) announced by Pipeline.
func (r *Registry) SetProblem(pipeline, output, problem string) {
	r.h.setProblem(pipeline, output, problem)
}

// Started tells /readyz that the pipelines were built: until then it
// answers 503 (starting).
func (r *Registry) Started() {
	r.h.mu.Lock()
	defer r.h.mu.Unlock()
	r.h.started = true
}

// Beat tells /healthz that the agent's watchdog went over every pipeline.
func (r *Registry) Beat() { r.h.beat() }

// health is what /healthz and /readyz report.
type health struct {
	mu       sync.Mutex
	pipes    map[string]*pipeHealth
	held     map[string]bool // "pipeline/output" held on a permanent error
	lastBeat time.Time
	beatMax  time.Duration // /healthz fails when the watchdog is this late
	started  bool          // every pipeline was built once
}

type pipeHealth struct {
	reg      *prometheus.Registry // nil when the pipeline failed to start
	outputs  []string
	problems map[string]string // output ("" = the pipeline) -> problem
}

func newHealth() *health {
	return &health{pipes: map[string]*pipeHealth{}, held: map[string]bool{}, beatMax: 15 * time.Second}
}

func (h *health) add(name string, outputs []string, reg *prometheus.Registry) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropHeld(name)
	h.pipes[name] = &pipeHealth{reg: reg, outputs: slices.Clone(outputs), problems: map[string]string{}}
}

func (h *health) failed(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropHeld(name)
	h.pipes[name] = &pipeHealth{problems: map[string]string{"": "failed to start: " + err.Error()}}
}

func (h *health) remove(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropHeld(name)
	delete(h.pipes, name)
}

func (h *health) dropHeld(pipeline string) {
	for k := range h.held {
		if strings.HasPrefix(k, pipeline+"/") {
			delete(h.held, k)
		}
	}
}

func (h *health) gatherers() prometheus.Gatherers {
	h.mu.Lock()
	defer h.mu.Unlock()
	var gs prometheus.Gatherers
	for _, name := range sortedKeys(h.pipes) {
		if reg := h.pipes[name].reg; reg != nil {
			gs = append(gs, reg)
		}
	}
	return gs
}

func (h *health) setHeld(key string, held bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if held {
		h.held[key] = true
	} else {
		delete(h.held, key)
	}
}

func (h *health) setProblem(pipeline, output, problem string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pipes[pipeline]
	if p == nil { // removed meanwhile
		return
	}
	if problem == "" {
		delete(p.problems, output)
	} else {
		p.problems[output] = problem
	}
}

func (h *health) beat() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastBeat = time.Now()
}

// Status is the body of /readyz and /healthz.
type Status struct {
	Status    string           `json:"status"` // ok | not ready | stalled
	Problems  []string         `json:"problems,omitempty"`
	Pipelines []PipelineStatus `json:"pipelines"`
}

// PipelineStatus is one pipeline in a Status.
type PipelineStatus struct {
	Name     string         `json:"name"`
	Ready    bool           `json:"ready"`
	Problems []string       `json:"problems,omitempty"`
	Outputs  []OutputStatus `json:"outputs,omitempty"`
}

// OutputStatus is one output of a pipeline in a Status.
type OutputStatus struct {
	Name     string   `json:"name"`
	Ready    bool     `json:"ready"`
	Problems []string `json:"problems,omitempty"`
}

// readiness reports every pipeline and output, and whether all are ready.
func (h *health) readiness() (Status, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{Status: "ok", Pipelines: []PipelineStatus{}}
	seen := map[string]bool{}
	for _, name := range sortedKeys(h.pipes) {
		ps := h.pipeStatus(name, h.pipes[name], seen)
		st.Pipelines = append(st.Pipelines, ps)
	}
	for _, key := range sortedKeys(h.held) { // outputs of pipelines the agent did not announce
		if !seen[key] {
			pipe, out, _ := strings.Cut(key, "/")
			st.Pipelines = append(st.Pipelines, PipelineStatus{Name: pipe, Outputs: []OutputStatus{heldOutput(out)}})
		}
	}
	ready := h.started
	if !h.started {
		st.Problems = []string{"starting: the pipelines are being built"}
	}
	for _, p := range st.Pipelines {
		ready = ready && p.Ready
	}
	if !ready {
		st.Status = "not ready"
	}
	return st, ready
}

func (h *health) pipeStatus(name string, p *pipeHealth, seen map[string]bool) PipelineStatus {
	ps := PipelineStatus{Name: name, Ready: true}
	if pr := p.problems[""]; pr != "" {
		ps.Problems, ps.Ready = []string{pr}, false
	}
	for _, o := range p.outputs {
		key := name + "/" + o
		seen[key] = true
		out := OutputStatus{Name: o, Ready: true}
		if h.held[key] {
			out = heldOutput(o)
		}
		if pr := p.problems[o]; pr != "" {
			out.Problems, out.Ready = append(out.Problems, pr), false
		}
		ps.Ready = ps.Ready && out.Ready
		ps.Outputs = append(ps.Outputs, out)
	}
	return ps
}

func heldOutput(name string) OutputStatus {
	return OutputStatus{Name: name, Problems: []string{"held on a permanent error (data kept, re-probed; see the log)"}}
}

// liveness reports whether the watchdog beat recently (or has not started).
func (h *health) liveness() (Status, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := Status{Status: "ok", Pipelines: []PipelineStatus{}}
	for _, name := range sortedKeys(h.pipes) {
		st.Pipelines = append(st.Pipelines, PipelineStatus{Name: name, Ready: h.pipes[name].reg != nil})
	}
	if late := time.Since(h.lastBeat); !h.lastBeat.IsZero() && late > h.beatMax {
		st.Status = "stalled"
		st.Problems = []string{"the agent's watchdog has not gone over the pipelines for " + late.Round(time.Second).String()}
		return st, false
	}
	return st, true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Server serves /metrics, /healthz and /readyz until Close.
type Server struct {
	srv  *http.Server
	done chan struct{}
	err  error // what Serve returned, other than a close
}

// Serve listens on addr and serves in a goroutine that Close waits for;
// onError is called if serving fails after the start.
func (r *Registry) Serve(addr string, onError func(error)) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(r.top(), promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", r.serveHealth)
	mux.HandleFunc("/readyz", r.serveReady)
	s := &Server{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.err = err
			onError(err)
		}
	}()
	return s, nil
}

// Close stops the server, letting requests in flight finish within ctx,
// waits for its goroutine and returns the error serving ended with.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if err != nil {
		s.srv.Close()
	}
	<-s.done
	return errors.Join(s.err, err)
}

func (r *Registry) serveHealth(w http.ResponseWriter, _ *http.Request) {
	st, ok := r.h.liveness()
	writeStatus(w, st, ok)
}

func (r *Registry) serveReady(w http.ResponseWriter, _ *http.Request) {
	st, ok := r.h.readiness()
	writeStatus(w, st, ok)
}

func writeStatus(w http.ResponseWriter, st Status, ok bool) {
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(st)
}
