package filter

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/processors"
)

type metrics struct {
	dropped    prometheus.Counter
	exprErrors prometheus.Counter
}

// newMetrics registers the processor's counters when reg is not nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	dropped, err := processors.DroppedCounter(reg)
	if err != nil {
		return nil, err
	}
	exprErrors, err := processors.Counter(reg, "auditship_processor_expr_errors_total",
		"Events whose expression failed at run time (kept, flagged _expr_error).")
	if err != nil {
		return nil, err
	}
	return &metrics{dropped: dropped, exprErrors: exprErrors}, nil
}
