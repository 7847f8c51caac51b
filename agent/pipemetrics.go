package agent

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/agent/metrics"
)

// inputMetrics count what each input brought in.
type inputMetrics struct {
	events, unparsed prometheus.Counter
}

func newInputMetrics(reg *metrics.Registry, pipeline, name string) *inputMetrics {
	l := prometheus.Labels{"pipeline": pipeline, "input": name}
	m := &inputMetrics{
		events: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_input_events_total",
			Help: "Events read by the input.", ConstLabels: l}),
		unparsed: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_input_unparsed_events_total",
			Help: "Records kept as unparsed events.", ConstLabels: l}),
	}
	reg.MustRegister(m.events, m.unparsed)
	return m
}

// pipelineMetrics count what happens at the buffer's door.
type pipelineMetrics struct {
	dropped, appendErrors prometheus.Counter
}

func newPipelineMetrics(reg *metrics.Registry, pipeline string) *pipelineMetrics {
	l := prometheus.Labels{"pipeline": pipeline}
	m := &pipelineMetrics{
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_buffer_full_dropped_events_total",
			Help: "Events dropped because the buffer was full (when_full = drop_newest); each is recorded.", ConstLabels: l}),
		appendErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditship_buffer_append_errors_total",
			Help: "Failed appends to the buffer (full disk, I/O errors); intake pauses and retries.", ConstLabels: l}),
	}
	reg.MustRegister(m.dropped, m.appendErrors)
	return m
}
