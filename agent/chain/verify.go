package chain

import (
	"context"
	"crypto/sha256"
	"fmt"
	"hash"
	"net/url"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/outputs"
)

// Reader is what Verify and Prove read: the stored batches and the
// chain's files beside them.
type Reader interface {
	outputs.Store
	outputs.MetaStore
}

// VerifyOptions says what Verify checks.
type VerifyOptions struct {
	Pipeline string        // "": every pipeline found under _auditship/manifests/
	Output   string        // the output's name, as in the chain's paths
	Verifier note.Verifier // nil: signatures are not checked
	MaxAge   time.Duration // the newest checkpoint may be at most this old; 0: not checked
	Now      time.Time     // zero: time.Now()
	Progress func(events, bytes int64)
}

// Verify reads back everything the output stored for the pipeline(s) and
// checks it against the chain (SPEC §6): each batch's lines against its
// manifest, the manifests against each other, the tree recomputed from
// the stored lines against the checkpoints. It streams: one batch body
// at a time, keeping a few facts per batch. Problems found are in the
// report; an error means Verify could not complete (store unreachable,
// access denied).
func Verify(ctx context.Context, st Reader, opts VerifyOptions) (*Report, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	v := newVerifier(st, opts)
	streams, err := v.discover(ctx)
	if err != nil {
		return nil, err
	}
	if err := v.listBatches(ctx); err != nil {
		return nil, err
	}
	for _, s := range streams {
		if err := v.verifyStream(ctx, s); err != nil {
			return nil, err
		}
	}
	v.pairReplaced()
	if err := v.unreferenced(ctx); err != nil {
		return nil, err
	}
	v.freshness()
	return v.report, nil
}

// verifier is one Verify run's state: the report, the facts kept across
// streams, and the buffers reused from batch to batch.
type verifier struct {
	st     Reader
	opts   VerifyOptions
	report *Report

	keys         batchKeys
	replaced     []replacedBatch
	newest       map[string]checkpointFact // per pipeline
	noCheckpoint map[string]bool           // pipelines with a stream reported without one
	signed       int                       // checkpoints carrying a signature

	leaves    LeafHasher
	sha       hash.Hash
	sum       [sha256.Size]byte
	lines     []lineFact
	lineBytes int64 // the current batch's lines, each with its newline
	nodes     []Node
	index     *indexCheck // the current batch's index record, checked against its lines
}

func newVerifier(st Reader, opts VerifyOptions) *verifier {
	return &verifier{st: st, opts: opts, newest: map[string]checkpointFact{}, noCheckpoint: map[string]bool{},
		report: &Report{Output: opts.Output, Pipelines: []string{}, Problems: []Problem{}},
		keys:   newBatchKeys()}
}

// streamID names one chain: a pipeline's stream of this output.
type streamID struct {
	pipeline, stream string
}

// discover lists the streams that have manifests or checkpoints, in name
// order (names only; nothing is kept per file).
func (v *verifier) discover(ctx context.Context) ([]streamID, error) {
	var ids []streamID
	seen := map[streamID]bool{}
	for _, kind := range []string{"manifests", "checkpoints"} {
		root := metaRoot(kind, v.opts.Pipeline)
		for name, err := range v.st.ListMeta(ctx, root) {
			if err != nil {
				return nil, fmt.Errorf("list %s: %w", root, err)
			}
			id, out, ok := parseMetaName(kind, name)
			if ok && out == v.opts.Output && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	slices.SortStableFunc(ids, func(a, b streamID) int {
		return strings.Compare(a.pipeline+"\x00"+a.stream, b.pipeline+"\x00"+b.stream)
	})
	v.report.Streams = len(ids)
	v.report.Pipelines = pipelinesOf(ids, v.opts.Pipeline)
	return ids, nil
}

// metaRoot is the directory of one kind of chain file (manifests,
// checkpoints), of one pipeline when it is set.
func metaRoot(kind, pipeline string) string {
	root := outputs.MetaPrefix + kind + "/"
	if pipeline != "" {
		root += url.PathEscape(pipeline) + "/"
	}
	return root
}

// parseMetaName splits _auditship/<kind>/<pipeline>/<output>/<stream>/<file>.
func parseMetaName(kind, name string) (streamID, string, bool) {
	parts := strings.Split(strings.TrimPrefix(name, outputs.MetaPrefix+kind+"/"), "/")
	if len(parts) != 4 {
		return streamID{}, "", false
	}
	p, err1 := url.PathUnescape(parts[0])
	o, err2 := url.PathUnescape(parts[1])
	if err1 != nil || err2 != nil {
		return streamID{}, "", false
	}
	return streamID{pipeline: p, stream: parts[2]}, o, true
}

// pipelinesOf lists the pipelines of ids, with the one asked for first.
func pipelinesOf(ids []streamID, asked string) []string {
	ps := []string{}
	if asked != "" {
		ps = append(ps, asked)
	}
	for _, id := range ids {
		if !slices.Contains(ps, id.pipeline) {
			ps = append(ps, id.pipeline)
		}
	}
	return ps
}

// progress reports what was read so far.
func (v *verifier) progress() {
	if v.opts.Progress != nil {
		v.opts.Progress(v.report.Events, v.report.Bytes)
	}
}
