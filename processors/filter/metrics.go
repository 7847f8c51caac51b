package filter

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	dropped    prometheus.Counter
	exprErrors prometheus.Counter
}

// newMetrics registers the processor's counters when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_processor_dropped_events_total",
			Help: "Events dropped by the processor.",
		}),
		exprErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_processor_expr_errors_total",
			Help: "Events whose expression failed at run time (kept, flagged _expr_error).",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.dropped, m.exprErrors} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
