package config

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

const (
	defaultShutdownTimeout = 30 * time.Second
	kib                    = 1 << 10
	mib                    = 1 << 20
	gib                    = 1 << 30
)

// pipelineBlocks are a pipeline's own blocks by kind.
type pipelineBlocks struct {
	inputs, processors, outputs []*hcl.Block
	buffer                      *hcl.Block
}

// pipeline decodes one pipeline block with what it inherits.
func (l *loader) pipeline(b *hcl.Block) *Pipeline {
	content, hd := b.Body.Content(pipelineSchema)
	l.addDiags(hd, schemaNames(pipelineSchema))
	p := &Pipeline{Name: b.Labels[0], Enabled: l.attrs(content.Attributes, "").boolean("enabled", true)}
	var own pipelineBlocks
	l.cur = newSeenIn()
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "input":
			own.inputs = append(own.inputs, blk)
		case "processor":
			own.processors = append(own.processors, blk)
		case "output":
			own.outputs = append(own.outputs, blk)
		case "buffer":
			own.buffer = l.onlyBlock(own.buffer, blk)
		}
	}
	p.Buffer = l.buffer(own.buffer)
	p.Inputs = l.inputs(p, own.inputs)
	p.Processors = l.processors(own.processors)
	p.Outputs = l.outputs(p, own.outputs)
	if len(own.inputs) == 0 {
		l.diags = append(l.diags, at(b.LabelRanges[0], "pipeline %q has no input", p.Name))
	}
	if len(own.outputs)+len(l.defaults.outputs) == 0 {
		l.diags = append(l.diags, at(b.LabelRanges[0], "pipeline %q has no output", p.Name))
	}
	return p
}

// checkDefaults reports problems of defaults blocks once, also when no
// pipeline inherits them.
func (l *loader) checkDefaults() {
	l.inherit("processor", l.defaults.processors, nil, l.singleFor("processor"))
	l.inherit("output", l.defaults.outputs, nil, l.singleFor("output"))
}

// nested reads the only block of typ among blocks; an absent block reads
// as empty (every attribute takes its default).
func (l *loader) nested(blocks []*hcl.Block, typ string, schema *hcl.BodySchema) attrs {
	var found *hcl.Block
	for _, b := range blocks {
		if b.Type == typ {
			found = l.onlyBlock(found, b)
		}
	}
	if found == nil {
		return l.attrs(nil, typ+".")
	}
	content, hd := found.Body.Content(schema)
	l.addDiags(hd, schemaNames(schema))
	return l.attrs(content.Attributes, typ+".")
}
