package file

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	deletedUnread prometheus.Counter
	errors        *prometheus.CounterVec
	missing       prometheus.Counter
	readBytes     prometheus.Counter
	open          prometheus.Gauge
	unreadable    prometheus.Gauge
	lag           prometheus.GaugeFunc
}

// newMetrics registers the input's collectors when reg is not nil; lag
// sums the unacknowledged bytes of the tracked files.
func newMetrics(reg prometheus.Registerer, lag func() float64) (*metrics, error) {
	m := &metrics{
		deletedUnread: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_file_deleted_unread_bytes_total",
			Help: "Bytes of files deleted, or moved where they cannot be found, before they were read.",
		}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auditship_input_file_errors_total",
			Help: "Failed opens and reads of matching files, by operation.",
		}, []string{"op"}),
		missing: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_file_missing_total",
			Help: "Files with unread bytes that disappeared and could not be found again.",
		}),
		readBytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_file_read_bytes_total",
			Help: "Bytes read from the matching files.",
		}),
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "auditship_input_file_open_files",
			Help: "Files held open for reading (at most max_open_files).",
		}),
		unreadable: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "auditship_input_file_unreadable_files",
			Help: "Matching files that cannot be opened or read at the moment (retried every scan).",
		}),
		lag: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "auditship_input_file_lag_bytes",
			Help: "Bytes of the tracked files past their checkpoints (size at the last scan minus the acknowledged offset).",
		}, lag),
	}
	for _, op := range []string{"open", "read"} {
		m.errors.WithLabelValues(op)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deletedUnread, m.errors, m.missing, m.readBytes, m.open, m.unreadable, m.lag} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// lagBytes sums size - offset over the checkpoints of tracked files.
func (s *store) lagBytes() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, r := range s.recs {
		if r.live && r.size > r.offset {
			n += r.size - r.offset
		}
	}
	return float64(n)
}
