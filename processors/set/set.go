// Package set is the `set` processor: it adds constant string keys to
// every event, rendered after the source's own keys.
package set

import (
	"bytes"
	"context"
	_ "embed"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

// Example is a sample `processor "set"` block, checked by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `set` processor.
func NewFactory() processors.Factory {
	return processors.NewFactory("set", func() *Config { return &Config{} },
		func(s processors.Settings, c *Config) (processors.Processor, error) {
			modified, err := processors.Counter(s.Registerer,
				"auditship_processor_modified_events_total", "Events the processor changed.")
			if err != nil {
				return nil, err
			}
			return newProcessor(c, modified), nil
		})
}

// Processor adds its fields to every event's Added keys.
type Processor struct {
	fields   []event.Field // sorted by key; shared by every event, never written
	modified prometheus.Counter
}

func newProcessor(c *Config, modified prometheus.Counter) *Processor {
	p := &Processor{modified: modified}
	for _, k := range sortedKeys(c.Fields) {
		p.fields = append(p.fields, event.Field{Key: []byte(k), Value: []byte(c.Fields[k]), Kind: event.KindString})
	}
	return p
}

// Process sets the fields on every event; a key already added (by an
// earlier processor) is replaced in place.
func (p *Processor) Process(_ context.Context, in []*event.Event) ([]*event.Event, error) {
	for _, e := range in {
		for _, f := range p.fields {
			setField(e, f)
		}
	}
	p.modified.Add(float64(len(in)))
	return in, nil
}

func setField(e *event.Event, f event.Field) {
	for i := range e.Added {
		if bytes.Equal(e.Added[i].Key, f.Key) {
			e.Added[i] = f
			return
		}
	}
	e.Added = append(e.Added, f)
}
