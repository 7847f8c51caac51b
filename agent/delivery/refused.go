package delivery

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"go.uber.org/zap"

	"github.com/auditship/auditship/agent/state"
	"github.com/auditship/auditship/internal/fsutil"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// keepRefused dead-letters the lines of a stored batch that the store
// refused, durably, before the batch is marked done; a repeat after a
// crash (the store reports the same lines again) indexes them once. It
// returns how many events were refused, or ctx's error.
func (s *Sender) keepRefused(ctx context.Context, e *batchEntry, werr error) (int, error) {
	lines, _ := outputs.RejectedLines(werr)
	lines = normLines(lines, e.Count)
	if !s.persist(ctx, "dead-letter", func() error { return s.deadLetterLines(e, lines, werr) }) {
		return 0, ctx.Err()
	}
	s.log.Warn("the store refused some events of a batch for their content; they are kept in the dead-letter directory, the rest is stored",
		zap.String("batch", e.ID), zap.String("key", e.Key), zap.Int("refused", len(lines)),
		zap.Int("events", e.Count), zap.Error(werr))
	return len(lines), nil
}

// deadLetterLines keeps the lines of a stored batch's body that the store
// refused (lines: sorted, within the batch): they are written, decoded
// whatever the batch's codec, to deadletter/<batch id>.refused.ndjson, then
// an index line naming the batch, its key and the lines is appended and
// fsynced. A repeat after a crash finds both and adds nothing.
func (s *Sender) deadLetterLines(e *batchEntry, lines []int, cause error) error {
	dir := filepath.Join(filepath.Dir(s.spoolDir), "deadletter")
	if err := state.MkdirAll(dir); err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	ref := *e
	ref.Spool = e.ID + ".refused.ndjson"
	dst, index := filepath.Join(dir, ref.Spool), filepath.Join(dir, "index.jsonl")
	if _, err := os.Stat(dst); err == nil && indexHas(index, e.ID) {
		return nil
	}
	src := filepath.Join(s.spoolDir, e.Spool)
	err := writeVia(dst, func(w io.Writer) error { return copyLines(w, src, e, lines) })
	if err == nil {
		err = fsutil.SyncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("dead-letter: %w", err)
	}
	if err := appendIndex(index, &ref, lines, cause); err != nil {
		return fmt.Errorf("dead-letter index: %w", err)
	}
	s.m.refused.Add(float64(len(lines)))
	return nil
}

// normLines sorts lines and drops repeats and numbers outside a batch of n.
func normLines(lines []int, n int) []int {
	out := slices.DeleteFunc(slices.Clone(lines), func(l int) bool { return l < 0 || l >= n })
	slices.Sort(out)
	return slices.Compact(out)
}

// copyLines writes the given lines (sorted) of the batch body at src to w.
func copyLines(w io.Writer, src string, e *batchEntry, lines []int) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := objectstore.Decompress(f, e.Compression)
	if err != nil {
		return err
	}
	defer r.Close()
	err = objectstore.EachLine(r, e.Format, func(i int, line []byte) error {
		if len(lines) == 0 || lines[0] != i {
			return nil
		}
		lines = lines[1:]
		if _, err := w.Write(line); err != nil {
			return err
		}
		_, err := w.Write(newline)
		return err
	})
	if err == nil && len(lines) > 0 {
		err = fmt.Errorf("the body has no line %d", lines[0])
	}
	return err
}
