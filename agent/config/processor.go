package config

import "github.com/hashicorp/hcl/v2"

// processors decodes the inherited processors, then the pipeline's own.
func (l *loader) processors(own []*hcl.Block) []*Processor {
	var out []*Processor
	for _, e := range l.inherit("processor", l.defaults.processors, own, l.singleFor("processor")) {
		pl, ok := l.decodePlugin("processor", e, processorSchema)
		if !ok {
			continue
		}
		out = append(out, &Processor{Type: e.typ, Name: e.name, Enabled: pl.enabled,
			Factory: l.reg.Processors[e.typ], Config: pl.cfg})
	}
	return out
}
