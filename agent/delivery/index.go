package delivery

import (
	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// indexers builds the index record of each open batch of a chained
// output (issue 11), fed beside the batch's leaves. Builders are kept by
// partition, so that openBatch needs no field of its own; the last one
// used is cached, so a single-partition output does no map lookup per
// event. A batch dropped unsealed (a spool failure) leaves its builder to
// the next batch of its partition, which resets it at its first event.
type indexers struct {
	fields []string
	byPart map[string]*index.Builder
	spare  *index.Builder
	last   *openBatch
	lastIx *index.Builder
}

// newIndexers indexes fields (nil: index.DefaultFields; empty: the time
// range only).
func newIndexers(fields []string) indexers {
	if fields == nil {
		fields = index.DefaultFields
	}
	return indexers{fields: fields, byPart: map[string]*index.Builder{}}
}

// open starts b's index at its first event.
func (x *indexers) open(b *openBatch) {
	ix := x.byPart[b.partition]
	if ix == nil {
		ix, x.spare = x.spare, nil
		if ix == nil {
			ix = index.NewBuilder(x.fields)
		}
		x.byPart[b.partition] = ix
	}
	ix.Reset()
	x.last, x.lastIx = b, ix
}

// of is b's builder.
func (x *indexers) of(b *openBatch) *index.Builder {
	if b != x.last {
		x.last, x.lastIx = b, x.byPart[b.partition]
	}
	return x.lastIx
}

// seal returns the stored bytes of b's index record, as journaled e
// describes it, at tree size before; its builder is kept for the next
// batch.
func (x *indexers) seal(b *openBatch, e *batchEntry, runs []chain.Run, before uint64) []byte {
	r := index.Record{Key: e.Key, Format: e.Format, Compression: e.Compression, SizeBefore: before,
		FirstSeq: e.First, LastSeq: e.Last, Count: e.Count, Seqs: make([][2]uint64, len(runs))}
	for i, run := range runs {
		r.Seqs[i] = run
	}
	ix := x.byPart[b.partition]
	if ix == nil { // no event reached addLeaf: cannot happen for a batch with events
		ix = index.NewBuilder(x.fields)
	}
	ix.Fill(&r)
	ix.Reset()
	delete(x.byPart, b.partition)
	x.spare, x.last, x.lastIx = ix, nil, nil
	return r.Marshal()
}
