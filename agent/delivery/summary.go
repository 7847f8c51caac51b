package delivery

import (
	"context"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/index"
)

// Index summaries (issue 11): the index records of the batches an output
// stores are gathered, in tree order, into a segment whose columns (one
// per index field, one of time ranges) are written at each checkpoint
// and whenever summaryMax batches have gathered, so that a lookup reads
// one column per segment instead of every batch's record. The gathering
// lives in memory only: batches gathered when the agent stops without a
// checkpoint are in no summary, and chain.Select reads their records.
const (
	summaryMax  = 1024           // batches of a segment: written when full
	summaryKeep = 4 * summaryMax // while writes fail, kept up to this many, then dropped
)

// summarizer is what a chainer gathers of the segment being summarized.
type summarizer struct {
	recs   []*index.Record // tree order
	failed bool            // the last write failed (logged once per streak)
}

// summarize gathers the index record of a batch whose manifest was just
// committed; a full segment is written at once. Stores that write the
// manifest in the batch's transaction (mysql) keep no summaries.
func (s *Sender) summarize(ctx context.Context, e *batchEntry) {
	c := s.chain
	if c == nil || c.inline || len(e.Index) == 0 {
		return
	}
	r, err := index.Parse(e.Index)
	if err != nil {
		return
	}
	sm := &c.sum
	if n := len(sm.recs); n > 0 && sm.recs[n-1].SizeBefore >= r.SizeBefore {
		if sm.recs[n-1].SizeBefore == r.SizeBefore { // the same batch committed again
			sm.recs[n-1] = r
			return
		}
		sm.recs = nil // cannot happen: the tree only grows; start a new segment
	}
	sm.recs = append(sm.recs, r)
	if len(sm.recs)%summaryMax == 0 {
		s.writeSummary(ctx)
	}
}

// writeSummary writes the columns of the segment gathered so far, create-
// only (the same bytes already there are a success). When a write fails
// the segment keeps growing and is written at the next checkpoint, under
// a new name; a segment grown past summaryKeep is dropped.
func (s *Sender) writeSummary(ctx context.Context) {
	c := s.chain
	if c == nil || len(c.sum.recs) == 0 {
		return
	}
	sm := &c.sum
	ctx, cancel := context.WithTimeout(ctx, checkpointTimeout)
	defer cancel()
	first, last := sm.recs[0].SizeBefore, sm.recs[len(sm.recs)-1].SizeBefore
	var err error
	var name string
	for _, col := range index.Summarize(sm.recs) {
		data, gz := col.Marshal()
		name = chain.SummaryName(s.pipeline, s.name, s.stream, first, last, col, gz)
		if err = c.meta.PutMeta(ctx, name, data); err != nil {
			break
		}
	}
	if err == nil {
		if sm.failed {
			s.log.Info("index summaries are written again", zap.String("name", name))
		}
		sm.recs, sm.failed = nil, false
		return
	}
	if !sm.failed {
		s.log.Warn("writing an index summary failed; retrying at the next checkpoint (lookups read the batches' index records meanwhile)",
			zap.String("name", name), zap.Error(err))
	}
	sm.failed = true
	if len(sm.recs) >= summaryKeep {
		s.log.Warn("index summary dropped after failed writes; lookups read these batches' index records",
			zap.Uint64("from_tree_size", first), zap.Uint64("to_tree_size", last), zap.Int("batches", len(sm.recs)))
		sm.recs = nil
	}
}
