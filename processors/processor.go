// Package processors defines the contract every processor implements.
package processors

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
)

// Processor changes or drops events in place. It returns the events to keep
// (usually a prefix of in, reused); it must not allocate per event on the
// common path. Processors of a pipeline run on one goroutine.
type Processor interface {
	Process(ctx context.Context, in []*event.Event) ([]*event.Event, error)
}

// Settings is what the agent hands a processor besides its own config.
type Settings struct {
	Pipeline   string
	Name       string
	Logger     *zap.Logger
	Registerer prometheus.Registerer // const labels pipeline and processor are set
}

// Factory creates one processor type (see inputs.Factory).
type Factory interface {
	Type() string
	NewConfig() any
	Create(s Settings, cfg any) (Processor, error)
}

// Counter makes a counter and registers it on reg when reg is not nil
// (tests pass nil). The Settings' registerer already carries the pipeline
// and processor labels.
func Counter(reg prometheus.Registerer, name, help string) (prometheus.Counter, error) {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	if reg != nil {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// DroppedCounter is the counter of events a processor dropped.
func DroppedCounter(reg prometheus.Registerer) (prometheus.Counter, error) {
	return Counter(reg, "auditship_processor_dropped_events_total", "Events dropped by the processor.")
}
