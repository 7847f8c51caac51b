package config

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// buffer merges the defaults' buffer block with the pipeline's, attribute
// by attribute, and reads it.
func (l *loader) buffer(own *hcl.Block) Buffer {
	body := &hclsyntax.Body{}
	if d := l.defaults.buffer; d != nil {
		body = syntaxBody(d)
	}
	if own != nil {
		body = merge(body, syntaxBody(own), func(string) bool { return true })
	}
	content, hd := body.Content(bufferSchema)
	l.addDiags(hd, schemaNames(bufferSchema))
	a := l.attrs(content.Attributes, "")
	return Buffer{
		MaxSize:        a.size("max_size", gib, mib, 0),
		WhenFull:       a.oneOf("when_full", "block", "block", "drop_newest"),
		Fsync:          a.oneOf("fsync", "batch", "batch", "always", "never"),
		MaxPartitions:  a.count("max_partitions", 1000, 1),
		MaxRecordBytes: a.size("max_record_bytes", 16*mib, kib, gib),
	}
}
