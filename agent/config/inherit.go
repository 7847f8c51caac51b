package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// entry is a plugin block after inheritance: body is the defaults block's
// body overlaid with the pipeline's block of the same type and name.
type entry struct {
	typ, name string
	block     *hcl.Block // the block written last (the pipeline's when it overrides)
	body      *hclsyntax.Body
	inherited bool // comes from defaults
}

// inherit lists the entries of one kind: the defaults' first, in order,
// then the pipeline's own; a pipeline block with the name of a defaults
// block overrides it in place.
func (l *loader) inherit(kind string, defs, own []*hcl.Block, single func(typ string) func(string) bool) []*entry {
	var out []*entry
	byName := map[string]*entry{}
	add := func(b *hcl.Block, inherited bool) {
		e := &entry{typ: b.Labels[0], name: b.Labels[1], block: b, body: syntaxBody(b), inherited: inherited}
		if prev, ok := byName[e.name]; ok {
			l.override(kind, prev, e, single)
			return
		}
		l.checkLabels(kind, b)
		byName[e.name] = e
		out = append(out, e)
	}
	for _, b := range defs {
		add(b, true)
	}
	for _, b := range own {
		add(b, false)
	}
	return out
}

// override applies e over prev, or reports why it cannot.
func (l *loader) override(kind string, prev, e *entry, single func(typ string) func(string) bool) {
	switch {
	case !prev.inherited || e.inherited:
		if prev.typ == e.typ {
			l.diags = append(l.diags, at(e.block.LabelRanges[1], "duplicate %s %q (first defined at %s)",
				kind, e.name, posOf(prev.block.LabelRanges[1])))
			return
		}
		l.diags = append(l.diags, at(e.block.LabelRanges[1], "%s name %q is already used by %s %q %q at %s",
			kind, e.name, kind, prev.typ, prev.name, posOf(prev.block.LabelRanges[1])))
	case prev.typ != e.typ:
		l.diags = append(l.diags, at(e.block.LabelRanges[0], "%s %q %q overrides defaults %s %q %q (at %s) with another type",
			kind, e.typ, e.name, kind, prev.typ, prev.name, posOf(prev.block.LabelRanges[0])))
	default:
		prev.body = merge(prev.body, e.body, single(e.typ))
		prev.block = e.block
		prev.inherited = false
	}
}

// checkLabels reports an empty name and an unknown type (with a
// suggestion); a block of unknown type is skipped later.
func (l *loader) checkLabels(kind string, b *hcl.Block) {
	if b.Labels[1] == "" {
		l.diags = append(l.diags, at(b.LabelRanges[1], "%s name must not be empty", kind))
	}
	if l.newConfig(kind, b.Labels[0]) != nil {
		return
	}
	l.diags = append(l.diags, at(b.LabelRanges[0], "%s", unknownType(kind, b.Labels[0], l.types(kind))))
}
