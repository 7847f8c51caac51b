package stdin

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	acked, failed prometheus.Counter
}

// newMetrics registers the input's collectors when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		acked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_stdin_acked_events_total",
			Help: "Events read from stdin and acknowledged as durable.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_stdin_failed_events_total",
			Help: "Events read from stdin whose acknowledgement reported an error.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.acked, m.failed} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
