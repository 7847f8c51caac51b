package chaintest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// Seal makes the manifest of a batch of lines stored under key after
// everything added so far, as the sender's chain.Log does, and grows the
// builder's tree by it. It returns the manifest and its stored bytes.
// With Options.Index the manifest holds the sha256 of the batch's index
// record, kept for the next store.
func (b *Builder) Seal(key, sha string, lines []Line) (*chain.Manifest, []byte) {
	b.index = nil
	if b.o.Index {
		b.index = b.IndexRecord(key, b.tree.Size(), lines)
	}
	m := b.manifest(b.tree, b.prevMan, b.pending, key, sha, lines)
	if b.index != nil {
		m.Index = chain.Digest(b.index)
	}
	b.pending = nil
	raw := m.Marshal()
	b.prevMan = chain.Digest(raw)
	return m, raw
}

// IndexRecord returns the stored bytes of the index record of a batch of
// lines stored under key at tree size before.
func (b *Builder) IndexRecord(key string, before uint64, lines []Line) []byte {
	ib := index.NewBuilder(IndexFields)
	r := index.Record{Key: key, Format: b.o.Format, Compression: b.o.Compression, SizeBefore: before, Count: len(lines)}
	for i, l := range lines {
		ib.Add(l.Data, b.o.Start.Add(time.Duration(l.Seq)*time.Millisecond))
		if i == 0 {
			r.FirstSeq = l.Seq
		}
		r.LastSeq = l.Seq
		if n := len(r.Seqs); n > 0 && r.Seqs[n-1][1]+1 == l.Seq {
			r.Seqs[n-1][1] = l.Seq
		} else {
			r.Seqs = append(r.Seqs, [2]uint64{l.Seq, l.Seq})
		}
	}
	ib.Fill(&r)
	return r.Marshal()
}

// Line is one stored envelope line and the _id and _seq it starts with.
type Line struct {
	Data []byte
	ID   string
	Seq  uint64
}

// ParseLine reads a line's _id and _seq with encoding/json.
func ParseLine(data []byte) Line {
	var h struct {
		ID  string `json:"_id"`
		Seq uint64 `json:"_seq"`
	}
	_ = json.Unmarshal(data, &h)
	return Line{Data: data, ID: h.ID, Seq: h.Seq}
}

// manifest seals lines as the batch after tree, which grows by them.
func (b *Builder) manifest(t *chain.Tree, prev string, skipped []chain.Skip, key, sha string, lines []Line) *chain.Manifest {
	m := &chain.Manifest{Version: chain.ManifestVersion, Pipeline: b.o.Pipeline, Output: b.o.Output, Stream: b.o.Stream,
		Epoch: 1, Key: key, Format: b.o.Format, Compression: b.o.Compression, Count: len(lines),
		SizeBefore: t.Size(), SHA256: sha, Prev: prev, Skipped: append([]chain.Skip{}, skipped...),
		Sources: []chain.Source{{Input: "in", SourceID: "src", From: 0, To: 1}}}
	for i, l := range lines {
		if i == 0 {
			m.FirstSeq, m.BatchID = l.Seq, fmt.Sprintf("%s-%020d", b.o.Stream, l.Seq)
		}
		m.LastSeq = l.Seq
		if n := len(m.Seqs); n > 0 && m.Seqs[n-1][1]+1 == l.Seq {
			m.Seqs[n-1][1] = l.Seq
		} else {
			m.Seqs = append(m.Seqs, chain.Run{l.Seq, l.Seq})
		}
		k := chain.IDKey([]byte(l.ID))
		m.IDIndex = append(m.IDIndex, k[:]...)
		h := b.leaves.Hash(l.Data)
		m.LeafIndex = append(m.LeafIndex, h[:chain.LeafKeySize]...)
		t.Append(h, &m.Nodes)
	}
	m.SizeAfter, m.RootAfter, m.Frontier = t.Size(), t.Root(), t.Frontier()
	return m
}

// Checkpoint stores a checkpoint of the tree so far.
func (b *Builder) Checkpoint(ctx context.Context) (string, error) {
	return b.CheckpointWith(ctx, nil)
}

// CheckpointWith stores a checkpoint of the tree so far, changed by edit
// before it is signed (a forged one).
func (b *Builder) CheckpointWith(ctx context.Context, edit func(*chain.Checkpoint)) (string, error) {
	c := chain.Checkpoint{Origin: chain.Origin(b.o.Pipeline, b.o.Output, b.o.Stream), Size: b.tree.Size(),
		Root: b.tree.Root(), Time: b.o.Start.Add(b.o.Every * time.Duration(len(b.Checkpoints))), Prev: b.prevCP,
		Manifest: b.prevMan}
	if edit != nil {
		edit(&c)
	}
	raw, err := c.Sign(b.o.Signer)
	if err != nil {
		return "", err
	}
	name := chain.CheckpointName(b.o.Pipeline, b.o.Output, b.o.Stream, c.Time)
	if err := b.t.PutMeta(ctx, name, raw); err != nil {
		return "", err
	}
	b.prevCP = chain.Digest(raw)
	b.Checkpoints = append(b.Checkpoints, name)
	return name, nil
}

// Last is the time of the newest checkpoint written.
func (b *Builder) Last() time.Time {
	return b.o.Start.Add(b.o.Every * time.Duration(len(b.Checkpoints)-1))
}

// Every is the time between two checkpoints.
func (b *Builder) Every() time.Duration { return b.o.Every }
