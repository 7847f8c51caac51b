// Package chaintest builds stored archives with their integrity chain the
// way a store output's sender does (SPEC §6), for the tests of verify and
// prove: batches written through the output's Write, manifests and
// checkpoints through its PutMeta, leaves hashed in storage order.
package chaintest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Target is where a Builder stores: a store output.
type Target interface {
	outputs.Output
	outputs.MetaStore
}

// Options name the chain and say how batches are encoded.
type Options struct {
	Pipeline, Output, Stream string
	Format, Compression      string      // default ndjson, none
	Signer                   note.Signer // nil: unsigned checkpoints
	Start                    time.Time   // the first checkpoint's time; default 2026-01-01
	Every                    time.Duration
	Salt                     string // varies the events' message: another history
	FirstSeq                 uint64 // default 1
	// Index: each event gets a workflowInstanceId (one per 50 sequence
	// numbers) and each batch an index record over IndexFields, stored
	// before its manifest, as the sender does; false: an archive written
	// before index records.
	Index bool
}

// IndexFields are the index fields of a Builder with Options.Index.
var IndexFields = []string{"workflowInstanceId", "category"}

// Instance is the workflowInstanceId of the event numbered seq (Options.Index).
func Instance(seq uint64) string { return fmt.Sprintf("wi-%d", seq/50) }

// Batch is what the Builder stored for one batch.
type Batch struct {
	Key, Manifest         string // object key, manifest name
	Index                 string // index record name ("": none)
	Seqs                  []chain.Run
	SizeBefore, SizeAfter uint64
}

// Builder appends batches and checkpoints to one stream's chain.
type Builder struct {
	o       Options
	t       Target
	tree    *chain.Tree
	leaves  chain.LeafHasher
	seq     uint64
	pending []chain.Skip
	prevMan string // digest of the last manifest
	prevCP  string // digest of the last checkpoint
	index   []byte // the index record Seal made last (Options.Index)
	enc     *objectstore.Encoder

	Batches     []Batch
	Checkpoints []string // names, oldest first
}

// New starts an empty chain.
func New(t Target, o Options) *Builder {
	if o.Format == "" {
		o.Format = objectstore.FormatNDJSON
	}
	if o.Compression == "" {
		o.Compression = objectstore.CompressionNone
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Every == 0 {
		o.Every = time.Hour
	}
	if o.FirstSeq == 0 {
		o.FirstSeq = 1
	}
	return &Builder{o: o, t: t, tree: chain.NewTree(), seq: o.FirstSeq}
}

// ID is the _id of the event numbered seq in stream.
func ID(stream string, seq uint64) string {
	return fmt.Sprintf("%s-%016x", stream, seq*0x9e3779b97f4a7c15)
}

// Line is the stored envelope line of the event numbered seq.
func (b *Builder) Line(seq uint64) []byte { return b.line(nil, seq) }

func (b *Builder) line(dst []byte, seq uint64) []byte {
	t := b.o.Start.Add(time.Duration(seq) * time.Millisecond)
	e := event.Event{ID: ID(b.o.Stream, seq), Seq: seq, Time: t, Category: "workflow",
		Source: event.Source{Input: "in", Path: "/var/log/engine/audit.log", Offset: int64(seq) * 160},
		Added: []event.Field{{Key: []byte("message"), Value: fmt.Appendf(nil, "node %d completed%s", seq%97, b.o.Salt),
			Kind: event.KindString}}}
	if b.o.Index {
		e.Added = append(e.Added, event.Field{Key: []byte("workflowInstanceId"), Value: []byte(Instance(seq)), Kind: event.KindString})
	}
	return e.AppendJSON(dst)
}

// Skip passes over the next n sequence numbers for reason; the next
// manifest records them.
func (b *Builder) Skip(n int, reason string) {
	b.pending = append(b.pending, chain.Skip{From: b.seq, To: b.seq + uint64(n) - 1, Reason: reason})
	b.seq += uint64(n)
}

// Lose passes over the next n sequence numbers without a trace: a gap.
func (b *Builder) Lose(n int) { b.seq += uint64(n) }

// Add stores a batch of the next n events and its manifest.
func (b *Builder) Add(ctx context.Context, n int) (Batch, error) {
	first := b.seq
	b.seq += uint64(n)
	lines := make([]Line, n)
	for i := range lines {
		seq := first + uint64(i)
		lines[i] = Line{Data: b.Line(seq), ID: ID(b.o.Stream, seq), Seq: seq}
	}
	return b.store(ctx, first, lines)
}

func (b *Builder) store(ctx context.Context, first uint64, lines []Line) (Batch, error) {
	body, err := b.encode(lines)
	if err != nil {
		return Batch{}, err
	}
	sum := sha256.Sum256(body)
	key := fmt.Sprintf("%s/%s-%020d.%s", b.o.Pipeline, b.o.Stream, first, b.ext())
	m, raw := b.Seal(key, hex.EncodeToString(sum[:]), lines)
	batch := &event.Batch{Pipeline: b.o.Pipeline, Output: b.o.Output, Stream: b.o.Stream, ID: m.BatchID,
		FirstSeq: m.FirstSeq, LastSeq: m.LastSeq, Count: m.Count, Key: key, Format: b.o.Format,
		Compression: b.o.Compression, Body: bytes.NewReader(body), Size: int64(len(body)), SHA256: m.SHA256}
	if err := b.t.Write(ctx, batch); err != nil {
		return Batch{}, err
	}
	out := Batch{Key: key, Seqs: m.Seqs, SizeBefore: m.SizeBefore, SizeAfter: m.SizeAfter}
	if b.index != nil {
		out.Index = chain.IndexName(b.o.Pipeline, b.o.Output, b.o.Stream, m.SizeBefore)
		if err := b.t.PutMeta(ctx, out.Index, b.index); err != nil {
			return Batch{}, err
		}
	}
	out.Manifest = chain.ManifestName(b.o.Pipeline, b.o.Output, b.o.Stream, m.SizeBefore)
	if err := b.t.PutMeta(ctx, out.Manifest, raw); err != nil {
		return Batch{}, err
	}
	b.Batches = append(b.Batches, out)
	return out, nil
}

func (b *Builder) ext() string {
	ext := map[string]string{objectstore.FormatNDJSON: "ndjson", objectstore.FormatJSONArray: "json"}[b.o.Format]
	switch b.o.Compression {
	case objectstore.CompressionGzip:
		ext += ".gz"
	case objectstore.CompressionZstd:
		ext += ".zst"
	}
	return ext
}

func (b *Builder) encode(lines []Line) ([]byte, error) {
	var buf bytes.Buffer
	if b.enc == nil {
		enc, err := objectstore.NewEncoder(&buf, objectstore.Codec{Format: b.o.Format, Compression: b.o.Compression}, 0)
		if err != nil {
			return nil, err
		}
		b.enc = enc
	}
	b.enc.Reset(&buf)
	for _, l := range lines {
		if err := b.enc.EncodeLine(l.Data); err != nil {
			return nil, err
		}
	}
	err := b.enc.Close()
	return buf.Bytes(), err
}
