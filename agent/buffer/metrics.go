package buffer

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	bytes, segments, records, usage prometheus.Gauge
	fsyncs, appended, lost          prometheus.Counter
	fsyncSeconds                    prometheus.Histogram
}

// newMetrics builds the collectors and registers them if reg is not nil;
// a log reopened on the same registry reuses the registered ones.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		bytes:    gauge("auditship_buffer_bytes", "Bytes on disk in buffer segments."),
		segments: gauge("auditship_buffer_segments", "Buffer segment files."),
		records:  gauge("auditship_buffer_records", "Sequence numbers held in the buffer's segments, delivered or not (lost ones included)."),
		usage:    gauge("auditship_buffer_usage_ratio", "Bytes on disk in buffer segments divided by max_size."),
		fsyncs:   counter("auditship_buffer_fsyncs_total", "Fsyncs of buffer segments."),
		appended: counter("auditship_buffer_appended_records_total", "Records appended to the buffer."),
		lost:     counter("auditship_buffer_lost_records_total", "Buffer records lost to corruption."),
		fsyncSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "auditship_buffer_fsync_duration_seconds",
			Help:    "Time taken by each fsync of a buffer segment.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)}), // 100µs to 26s
	}
	if reg == nil {
		return m, nil
	}
	var errs [8]error
	m.bytes, errs[0] = register(reg, m.bytes)
	m.segments, errs[1] = register(reg, m.segments)
	m.fsyncs, errs[2] = register(reg, m.fsyncs)
	m.appended, errs[3] = register(reg, m.appended)
	m.lost, errs[4] = register(reg, m.lost)
	m.records, errs[5] = register(reg, m.records)
	m.usage, errs[6] = register(reg, m.usage)
	m.fsyncSeconds, errs[7] = register(reg, m.fsyncSeconds)
	return m, errors.Join(errs[:]...)
}

// size publishes the log's footprint; the caller holds l.mu.
func (l *Log) size() {
	l.m.bytes.Set(float64(l.bytes))
	l.m.segments.Set(float64(len(l.segs)))
	l.m.usage.Set(float64(l.bytes) / float64(l.o.MaxSize))
	if len(l.segs) > 0 && l.written+1 >= l.segs[0].first {
		l.m.records.Set(float64(l.written + 1 - l.segs[0].first))
	}
}

// observeSync times one fsync.
func (m *metrics) observeSync(start time.Time) {
	m.fsyncs.Inc()
	m.fsyncSeconds.Observe(time.Since(start).Seconds())
}

func register[T prometheus.Collector](reg prometheus.Registerer, c T) (T, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if old, ok := are.ExistingCollector.(T); ok {
			return old, nil
		}
	}
	return c, err
}

func gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

func counter(name, help string) prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
}
