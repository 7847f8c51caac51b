// Package categories is the `categories` processor: it keeps or drops
// events by category (include, then exclude; exclude wins).
package categories

import (
	"context"
	_ "embed"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

// Example is a sample `processor "categories"` block, checked by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `categories` processor.
func NewFactory() processors.Factory {
	return processors.NewFactory("categories", func() *Config { return &Config{} },
		func(s processors.Settings, c *Config) (processors.Processor, error) {
			dropped, err := processors.DroppedCounter(s.Registerer)
			if err != nil {
				return nil, err
			}
			return newProcessor(c, dropped), nil
		})
}

// Processor keeps the events whose category passes.
type Processor struct {
	decide  map[string]bool // the categories named in the config
	keepAny bool            // the fate of other categories: include was empty
	dropped prometheus.Counter
}

func newProcessor(c *Config, dropped prometheus.Counter) *Processor {
	p := &Processor{decide: map[string]bool{}, keepAny: len(c.Include) == 0, dropped: dropped}
	for _, n := range c.Include {
		p.decide[n] = true
	}
	for _, n := range c.Exclude {
		p.decide[n] = false
	}
	return p
}

func (p *Processor) keep(category string) bool {
	if k, ok := p.decide[category]; ok {
		return k
	}
	return p.keepAny
}

// Process returns the kept events as a prefix of in, in order; the dropped
// ones are moved behind it (in[len(out):]) so the caller can record them.
func (p *Processor) Process(_ context.Context, in []*event.Event) ([]*event.Event, error) {
	n := 0
	for i, e := range in {
		if p.keep(e.Category) {
			in[n], in[i] = in[i], in[n]
			n++
		}
	}
	p.dropped.Add(float64(len(in) - n))
	return in[:n], nil
}
