package objectstore

import (
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/template"
)

// Naming is what a store output needs to name its batches: embedded in
// an output, it provides outputs.Partitioner and outputs.Journaled's
// Encoding and Key, the same way for every store.
type Naming struct {
	Codec    Codec
	Template *template.Template // the key / file name template
	Pipeline string
	Output   string
}

// Partition groups events by the template's fields.
func (n Naming) Partition(e *event.Event) string {
	return n.Template.Partition(e, n.Pipeline, n.Output, SanitizeName)
}

// PartitionFields lists the event fields the template reads; with none,
// the sender need not look into events to partition them.
func (n Naming) PartitionFields() []string { return n.Template.Fields() }

// Encoding is the codec the sender spools the batches with.
func (n Naming) Encoding() (format, compression string) {
	return n.Codec.Format, n.Codec.Compression
}

// Key is a batch's key relative to the output's root (directory, bucket
// prefix): the template plus the codec's extension.
func (n Naming) Key(b *event.Batch) string {
	return Key(n.Template, "", b, n.Codec)
}
