// Package filter is the `filter` processor: it keeps the events matching an
// expression. An event whose expression fails at run time is kept and
// flagged with _expr_error, never dropped.
package filter

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/expr"
	"github.com/auditship/auditship/processors"
)

// Example is a sample `processor "filter"` block, checked by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `filter` processor.
func NewFactory() processors.Factory {
	return processors.NewFactory("filter", func() *Config { return &Config{} }, create)
}

func create(s processors.Settings, c *Config) (processors.Processor, error) {
	prog, err := expr.Compile(c.When)
	if err != nil {
		return nil, fmt.Errorf("filter processor: when: %w", err)
	}
	m, err := newMetrics(s.Registerer)
	if err != nil {
		return nil, err
	}
	return &Processor{prog: prog, m: m}, nil
}

// Processor keeps the events its expression matches.
type Processor struct {
	prog *expr.Program
	m    *metrics
}

// Process returns the kept events as a prefix of in, in order; the dropped
// ones are moved behind it (in[len(out):]) so the caller can record them.
func (p *Processor) Process(_ context.Context, in []*event.Event) ([]*event.Event, error) {
	n, failed := 0, 0
	for i, e := range in {
		ok, err := p.prog.Match(e)
		if err != nil {
			flag(e, err)
			ok = true
			failed++
		}
		if ok {
			in[n], in[i] = in[i], in[n]
			n++
		}
	}
	p.m.dropped.Add(float64(len(in) - n))
	p.m.exprErrors.Add(float64(failed))
	return in[:n], nil
}

var keyExprError = []byte("_expr_error")

// flag records err in the event's _expr_error, replacing an earlier one
// (from a filter before this one) so the key stays unique.
func flag(e *event.Event, err error) {
	f := event.Field{Key: keyExprError, Value: []byte(err.Error()), Kind: event.KindString}
	for i := range e.Meta {
		if string(e.Meta[i].Key) == string(keyExprError) {
			e.Meta[i] = f
			return
		}
	}
	e.Meta = append(e.Meta, f)
}
