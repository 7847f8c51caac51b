package delivery

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/agent/metrics"
)

// outputMetrics are the sender's counters for one output.
type outputMetrics struct {
	events, batches, whenErrors, deadLettered, refused, spoolLost prometheus.Counter
	checkpoints, checkpointErrors                                 prometheus.Counter
	sendErrors, stateErrors, journalRepairs                       *prometheus.CounterVec
	setHealthy                                                    func(bool)
}

func newOutputMetrics(reg *metrics.Registry, pipeline, name string) *outputMetrics {
	l := prometheus.Labels{"pipeline": pipeline, "output": name}
	f := func(n, h string) prometheus.Counter {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: n, Help: h, ConstLabels: l})
		reg.MustRegister(c)
		return c
	}
	m := &outputMetrics{
		events:     f("auditship_output_events_total", "Events written by the output."),
		batches:    f("auditship_output_batches_total", "Batches written by the output."),
		whenErrors: f("auditship_output_when_errors_total", "Events whose `when` failed at run time (not sent)."),
		deadLettered: f("auditship_output_dead_lettered_events_total",
			"Events of batches the store rejected for their content, kept in the dead-letter directory."),
		refused: f("auditship_output_rejected_events_total",
			"Events the store refused for their content in batches it otherwise stored, kept in the dead-letter directory."),
		spoolLost: f("auditship_output_spool_lost_events_total",
			"Events of journaled batches whose spool file was removed from outside before they were sent."),
		checkpoints: f("auditship_chain_checkpoints_total", "Checkpoints of the integrity chain stored."),
		checkpointErrors: f("auditship_chain_checkpoint_errors_total",
			"Checkpoint writes that failed (retried at the next tick)."),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditship_output_send_errors_total",
			Help: "Failed batch writes by kind (retryable, permanent).", ConstLabels: l}, []string{"kind"}),
	}
	m.stateErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditship_output_state_errors_total",
		Help:        "Failed writes of the output's files under data_dir by op (journal, dead-letter, spool, cursor); the batch is kept.",
		ConstLabels: l}, []string{"op"})
	m.journalRepairs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditship_output_journal_repairs_total",
		Help: "Journal damage found at start by kind: torn_tail (cut back), corrupt_line (quarantined), " +
			"orphan_spool (a spool file without its entry, moved to the dead-letter directory).", ConstLabels: l}, []string{"kind"})
	reg.MustRegister(m.sendErrors, m.stateErrors, m.journalRepairs)
	key := pipeline + "/" + name
	m.setHealthy = func(ok bool) { reg.SetHealthy(key, ok) }
	return m
}
