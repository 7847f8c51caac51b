package config

import (
	"reflect"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// merge overlays over onto base, attribute by attribute: nested blocks of
// a type in single merge recursively, other block types given in over
// replace base's blocks of that type as a whole. Neither input is changed.
func merge(base, over *hclsyntax.Body, single func(string) bool) *hclsyntax.Body {
	out := &hclsyntax.Body{
		Attributes: make(hclsyntax.Attributes, len(base.Attributes)+len(over.Attributes)),
		SrcRange:   over.SrcRange,
		EndRange:   over.EndRange,
	}
	for name, a := range base.Attributes {
		out.Attributes[name] = a
	}
	for name, a := range over.Attributes {
		out.Attributes[name] = a
	}
	overTypes := blockTypes(over)
	for _, b := range base.Blocks {
		if !overTypes[b.Type] {
			out.Blocks = append(out.Blocks, b)
		}
	}
	for _, b := range over.Blocks {
		out.Blocks = append(out.Blocks, mergeBlock(base, b, single))
	}
	return out
}

// mergeBlock merges b with base's only block of its type when the type is
// single; else b stands as is.
func mergeBlock(base *hclsyntax.Body, b *hclsyntax.Block, single func(string) bool) *hclsyntax.Block {
	if !single(b.Type) {
		return b
	}
	var prev *hclsyntax.Block
	for _, pb := range base.Blocks {
		if pb.Type == b.Type {
			if prev != nil {
				return b // a duplicate: reported when the block is decoded
			}
			prev = pb
		}
	}
	if prev == nil {
		return b
	}
	nb := *b
	nb.Body = merge(prev.Body, b.Body, func(string) bool { return true })
	return &nb
}

func blockTypes(b *hclsyntax.Body) map[string]bool {
	m := make(map[string]bool, len(b.Blocks))
	for _, blk := range b.Blocks {
		m[blk.Type] = true
	}
	return m
}

// singleBlocks reports which nested block types of a plugin config merge
// attribute by attribute: every block field that is not a slice. Block
// types the struct does not know (the common batch, multiline, retry)
// are single too.
func singleBlocks(cfg any) func(string) bool {
	repeated := map[string]bool{}
	t := reflect.TypeOf(cfg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && t.Kind() == reflect.Struct {
		for f := range t.Fields() {
			name, kind, _ := strings.Cut(f.Tag.Get("hcl"), ",")
			if kind == "block" && f.Type.Kind() == reflect.Slice {
				repeated[name] = true
			}
		}
	}
	return func(typ string) bool { return !repeated[typ] }
}
