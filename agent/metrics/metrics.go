// Package metrics holds the agent's Prometheus registry and serves
// /metrics, /healthz and /readyz.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry is the agent's metrics plus the readiness of its outputs.
type Registry struct {
	*prometheus.Registry
	mu        sync.Mutex
	unhealthy map[string]bool // outputs held by a permanent error
}

// New returns a registry with the Go and process collectors.
func New() *Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Registry{Registry: r, unhealthy: map[string]bool{}}
}

// Wrap returns a registerer that labels a component's metrics with its
// pipeline and its kind's name (input, processor or output).
func Wrap(reg *Registry, pipeline, kind, name string) prometheus.Registerer {
	return prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": pipeline, kind: name}, reg)
}

// SetHealthy records whether the named output can currently write.
func (r *Registry) SetHealthy(name string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		delete(r.unhealthy, name)
	} else {
		r.unhealthy[name] = true
	}
}

func (r *Registry) ready() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var bad []string
	for n := range r.unhealthy {
		bad = append(bad, n)
	}
	return bad
}

// Serve listens on addr until ctx ends.
func (r *Registry) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(r.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("/readyz", r.serveReady)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed after start; metrics are best effort
		}
	}()
	return nil
}

func (r *Registry) serveReady(w http.ResponseWriter, _ *http.Request) {
	bad := r.ready()
	if len(bad) == 0 {
		w.Write([]byte("ready\n"))
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	for _, n := range bad {
		w.Write([]byte("output failing permanently: " + n + "\n"))
	}
}
