package delivery

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/agent/metrics"
)

// outputMetrics are the sender's counters for one output.
type outputMetrics struct {
	events, batches, whenErrors, deadLettered, refused, spoolLost prometheus.Counter
	checkpoints, checkpointErrors                                 prometheus.Counter
	sendErrors, stateErrors, journalRepairs                       *prometheus.CounterVec
	setHealthy                                                    func(bool)
	bytes, retries                                                prometheus.Counter
	lastSend, held                                                prometheus.Gauge
	writeSeconds                                                  prometheus.Histogram
	age                                                           *unsentAge
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
	m.bytes = f("auditship_output_sent_bytes_total",
		"Bytes of the batches written: the encoded body for stores, the events' envelopes for stdout.")
	m.retries = f("auditship_output_retries_total",
		"Store operations (batch writes, manifest puts) attempted again after a failure.")
	m.deliveryGauges(reg, l)
	m.age = &unsentAge{}
	key := pipeline + "/" + name
	m.setHealthy = func(ok bool) {
		m.held.Set(boolFloat(!ok))
		reg.SetHealthy(key, ok)
	}
	return m
}

// deliveryGauges registers the gauges and the histogram that tell whether
// the output keeps up.
func (m *outputMetrics) deliveryGauges(reg prometheus.Registerer, l prometheus.Labels) {
	g := func(n, h string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: n, Help: h, ConstLabels: l})
	}
	m.lastSend = g("auditship_output_last_send_timestamp_seconds",
		"Unix time of the last successful batch write; the sender's start until the first.")
	m.held = g("auditship_output_held_on_permanent_error",
		"1 while the output is held on a permanent error (re-probed every permanent_retry_interval), else 0.")
	m.writeSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "auditship_output_write_duration_seconds",
		Help: "Time taken by each batch write to the output, failed ones included.", ConstLabels: l,
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}) // 1ms to 262s
	reg.MustRegister(m.lastSend, m.held, m.writeSeconds)
}

// watch exports the age of the oldest undelivered event (next: the first
// sequence number not yet in the buffer) and the batch interval.
func (m *outputMetrics) watch(reg prometheus.Registerer, l prometheus.Labels, next func() uint64, interval time.Duration) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "auditship_output_oldest_unsent_event_age_seconds", ConstLabels: l,
		Help: "How long the oldest event the output has not delivered has been in the buffer (0: nothing waits).",
	}, func() float64 { return m.age.seconds(next(), time.Now()) }))
	iv := prometheus.NewGauge(prometheus.GaugeOpts{Name: "auditship_output_batch_interval_seconds", ConstLabels: l,
		Help: "The output's batch interval from its config: the longest a batch waits before it is written."})
	iv.Set(interval.Seconds())
	reg.MustRegister(iv)
}

// observeWrite times one batch write.
func (m *outputMetrics) observeWrite(start time.Time) {
	m.writeSeconds.Observe(time.Since(start).Seconds())
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
