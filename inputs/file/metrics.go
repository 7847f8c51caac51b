package file

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	deletedUnread prometheus.Counter
	errors        *prometheus.CounterVec
	missing       prometheus.Counter
}

// newMetrics registers the input's collectors when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
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
	}
	for _, op := range []string{"open", "read"} {
		m.errors.WithLabelValues(op)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.deletedUnread, m.errors, m.missing} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}
