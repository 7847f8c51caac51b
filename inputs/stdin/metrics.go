package stdin

import "github.com/prometheus/client_golang/prometheus"

// metrics tell every byte's fate: read = acked + unbuffered once the
// input has closed.
type metrics struct {
	acked, failed                     prometheus.Counter // events
	readBytes, ackedBytes, unbuffered prometheus.Counter
}

// newMetrics registers the input's collectors when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	m := &metrics{
		acked: c("auditship_input_stdin_acked_events_total", "Events read from stdin and acknowledged as durable."),
		failed: c("auditship_input_stdin_failed_events_total",
			"Events read from stdin that never became durable: their acknowledgement reported an error, "+
				"or had not come when the input closed."),
		readBytes:  c("auditship_input_stdin_read_bytes_total", "Bytes read from the stdin pipe."),
		ackedBytes: c("auditship_input_stdin_acked_bytes_total", "Bytes read from stdin whose events are durable."),
		unbuffered: c("auditship_input_stdin_unbuffered_bytes_total",
			"Bytes read from the stdin pipe that never became durable (not appended before shutdown, "+
				"an open record at close, read after close): lost unless the producer re-sends them."),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.acked, m.failed, m.readBytes, m.ackedBytes, m.unbuffered} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
