package file

import "github.com/prometheus/client_golang/prometheus"

type metrics struct {
	deletedUnread prometheus.Counter
}

// newMetrics registers the input's collectors when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deletedUnread: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "auditship_input_file_deleted_unread_bytes_total",
			Help: "Bytes of files deleted before they were read.",
		}),
	}
	if reg != nil {
		if err := reg.Register(m.deletedUnread); err != nil {
			return nil, err
		}
	}
	return m, nil
}
