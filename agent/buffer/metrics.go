package buffer

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	bytes, segments        prometheus.Gauge
	fsyncs, appended, lost prometheus.Counter
}

// newMetrics builds the collectors and registers them if reg is not nil;
// a log reopened on the same registry reuses the registered ones.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		bytes:    gauge("auditship_buffer_bytes", "Bytes on disk in buffer segments."),
		segments: gauge("auditship_buffer_segments", "Buffer segment files."),
		fsyncs:   counter("auditship_buffer_fsyncs_total", "Fsyncs of buffer segments."),
		appended: counter("auditship_buffer_appended_records_total", "Records appended to the buffer."),
		lost:     counter("auditship_buffer_lost_records_total", "Buffer records lost to corruption."),
	}
	if reg == nil {
		return m, nil
	}
	var errs [5]error
	m.bytes, errs[0] = register(reg, m.bytes)
	m.segments, errs[1] = register(reg, m.segments)
	m.fsyncs, errs[2] = register(reg, m.fsyncs)
	m.appended, errs[3] = register(reg, m.appended)
	m.lost, errs[4] = register(reg, m.lost)
	return m, errors.Join(errs[:]...)
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
