package chain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/outputs"
)

// ExportOptions say what Export selects.
type ExportOptions struct {
	Pipeline string // "": every pipeline of the output
	Output   string
	Query    *index.Query
}

// Export writes the stored events of the output that q matches into w,
// each with its inclusion proof. It reads only the batches Select yields
// (those whose index records may match), each once; a proof costs the
// few manifests holding its path's upper nodes and, for the subtrees
// below NodeLevel, the neighbouring batches, all cached across the
// events of a stream. Every event of a stream is proven against the
// stream's newest checkpoint, which must cover it.
func Export(ctx context.Context, st Reader, o ExportOptions, w *BundleWriter) (SelectStats, error) {
	var (
		stats   SelectStats
		p       *prover
		pending *batchMatches // proven once the next selected batch is read too
	)
	st = &countingReader{Reader: st, n: &w.info.BytesRead}
	for sel, err := range Select(ctx, st, o.Pipeline, o.Output, o.Query, &stats) {
		if err != nil {
			return stats, err
		}
		if s := (streamID{pipeline: sel.Pipeline, stream: sel.Stream}); p == nil || p.s != s {
			if err := pending.prove(ctx, w); err != nil {
				return stats, err
			}
			pending = nil
			if p, err = newProver(ctx, st, o.Output, s); err != nil {
				return stats, err
			}
		}
		found, err := readBatch(ctx, p, sel, o.Query, w)
		if err != nil {
			return stats, err
		}
		if err := pending.prove(ctx, w); err != nil {
			return stats, err
		}
		pending = found
	}
	return stats, pending.prove(ctx, w)
}

// batchMatches are the lines of one batch that the query matches.
type batchMatches struct {
	p     *prover
	key   string
	first uint64 // the batch's first leaf
	lines []matched
}

// matched is one line of a batch that the query matches.
type matched struct {
	i    int
	line []byte
}

// readBatch reads one selected batch, keeps its leaf hashes for the
// proofs, and returns the lines q matches.
func readBatch(ctx context.Context, p *prover, sel Selected, q *index.Query, w *BundleWriter) (*batchMatches, error) {
	rec := sel.Index
	var hashes [][]byte
	found := &batchMatches{p: p, key: rec.Key, first: rec.SizeBefore}
	err := eachLine(ctx, p.st, sel.Ref, rec.Format, rec.Compression, func(i int, line []byte) bool {
		hashes = append(hashes, p.leaves.Hash(line))
		ok, err := q.Match(line)
		if err != nil {
			w.info.ExprErrors++ // as in an output's when: no match (SPEC §2)
		}
		if ok && err == nil {
			found.lines = append(found.lines, matched{i: i, line: bytes.Clone(line)})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	p.batches.put(rec.SizeBefore, hashes)
	return found, nil
}

// prove adds each matched line with its proof; the batch after it, when
// it was selected too, is in the prover's cache by now, so proofs whose
// low subtrees reach into it read nothing more.
func (b *batchMatches) prove(ctx context.Context, w *BundleWriter) error {
	if b == nil {
		return nil
	}
	for _, m := range b.lines {
		pr, err := b.p.proveLeaf(ctx, b.first+uint64(m.i), m.line)
		if errors.Is(err, ErrNotCovered) {
			return fmt.Errorf("event %s: %w, or export with an --until before it", mustHeadID(m.line), err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", b.key, err)
		}
		if err := w.Add(pr); err != nil {
			return err
		}
	}
	return nil
}

// countingReader counts the bytes read from a store: batch bodies as
// stored (compressed) and chain files.
type countingReader struct {
	Reader
	n *int64
}

func (c *countingReader) Open(ctx context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	rc, err := c.Reader.Open(ctx, ref)
	if err != nil {
		return nil, err
	}
	return &countingBody{ReadCloser: rc, n: c.n}, nil
}

func (c *countingReader) GetMeta(ctx context.Context, name string) ([]byte, error) {
	b, err := c.Reader.GetMeta(ctx, name)
	*c.n += int64(len(b))
	return b, err
}

type countingBody struct {
	io.ReadCloser
	n *int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	*b.n += int64(n)
	return n, err
}
