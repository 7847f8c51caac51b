package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// loader accumulates the files of one config and every problem found.
type loader struct {
	reg   Registry
	dir   string
	ctx   *hcl.EvalContext
	diags Diagnostics
	cfg   *Config

	top       hcl.Attributes
	defaults  defaults
	pipelines []*hcl.Block
	seen      map[string]*hcl.Block // pipeline name → first block

	stdin *hcl.Range // the first enabled stdin input, for the at-most-one rule
	cur   *seenIn    // the pipeline being decoded
}

// defaults holds the blocks of every defaults block, in order.
type defaults struct {
	processors, outputs []*hcl.Block
	buffer              *hcl.Block
}

func newLoader(reg Registry, dir string) *loader {
	return &loader{
		reg: reg, dir: dir, ctx: evalContext(dir), cfg: &Config{},
		top: hcl.Attributes{}, seen: map[string]*hcl.Block{},
	}
}

func (l *loader) addDiags(hd hcl.Diagnostics, names []string) {
	l.diags = append(l.diags, fromHCL(hd, names)...)
}

func (l *loader) addDefaults(b *hcl.Block) {
	content, hd := b.Body.Content(defaultsSchema)
	l.addDiags(hd, schemaNames(defaultsSchema))
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "processor":
			l.defaults.processors = append(l.defaults.processors, blk)
		case "output":
			l.defaults.outputs = append(l.defaults.outputs, blk)
		case "buffer":
			l.defaults.buffer = l.onlyBlock(l.defaults.buffer, blk)
		}
	}
}

// onlyBlock returns prev, or b when prev is nil; a second block is an error.
func (l *loader) onlyBlock(prev, b *hcl.Block) *hcl.Block {
	if prev != nil {
		l.diags = append(l.diags, at(b.TypeRange, "duplicate %s block (first defined at %s)", b.Type, posOf(prev.TypeRange)))
		return prev
	}
	return b
}

func (l *loader) addPipeline(b *hcl.Block) {
	name := b.Labels[0]
	if prev, ok := l.seen[name]; ok {
		l.diags = append(l.diags, at(b.LabelRanges[0], "duplicate pipeline %q (first defined at %s)", name, posOf(prev.LabelRanges[0])))
		return
	}
	if name == "" {
		l.diags = append(l.diags, at(b.LabelRanges[0], "pipeline name must not be empty"))
	}
	l.seen[name] = b
	l.pipelines = append(l.pipelines, b)
}

// finish decodes the top-level attributes and every pipeline.
func (l *loader) finish() (*Config, Diagnostics) {
	a := l.attrs(l.top, "")
	l.cfg.DataDir = a.str("data_dir", "")
	l.cfg.ShutdownTimeout = a.duration("shutdown_timeout", defaultShutdownTimeout)
	l.cfg.MetricsAddr = a.str("metrics_addr", "")
	l.checkDefaults()
	for _, b := range l.pipelines {
		l.cfg.Pipelines = append(l.cfg.Pipelines, l.pipeline(b))
	}
	if len(l.pipelines) == 0 && len(l.cfg.Files) > 0 && len(l.diags) == 0 {
		l.diags = append(l.diags, Diagnostic{File: l.cfg.Files[0], Msg: `no pipeline defined (add a pipeline "NAME" { ... } block)`})
	}
	if len(l.diags) > 0 {
		return nil, l.diags.sorted()
	}
	return l.cfg, nil
}

func (l *loader) attrs(m hcl.Attributes, prefix string) attrs {
	return attrs{m: m, ctx: l.ctx, diags: &l.diags, prefix: prefix}
}

// syntaxBody is the native-syntax body behind b (every file is parsed by
// hclsyntax).
func syntaxBody(b *hcl.Block) *hclsyntax.Body {
	return b.Body.(*hclsyntax.Body)
}
