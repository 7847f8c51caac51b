package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"

	"go.uber.org/zap"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// Write stores b in one transaction: its rows (an _id stored already is
// skipped), then its auditship_batches row with its manifest. A batch
// already stored (a re-send after a crash between COMMIT and the sender's
// cursor save) is delivered, with the lines it rejected then. Events
// refused for their own content are reported with outputs.RejectedEvents,
// the others stored.
func (o *Output) Write(ctx context.Context, b *event.Batch) error {
	if st := o.takeStage(b.ID); st != nil {
		if used, err := o.commitStage(ctx, b, st); used {
			return err
		}
	}
	err := o.write(ctx, b)
	if isLockWait(err) && o.dropStages() {
		// The batch prepared next holds rows this one waited for (the same
		// _id in both): this one goes first, without it.
		o.log.Info("mysql: a batch waited for the rows of the batch loaded ahead of it; that load was dropped",
			zap.String("batch", b.ID), zap.Error(scrub(err, o.password)))
		err = o.write(ctx, b)
	}
	return err
}

// write stores b from its body, as Write describes.
func (o *Output) write(ctx context.Context, b *event.Batch) error {
	sc := o.getScratch()
	defer o.putScratch(sc)
	body, err := batchBody(b, sc)
	if err != nil {
		return err
	}
	if err := o.prepare(ctx); err != nil {
		return err
	}
	var p *parsed
	if o.useLoad() {
		p = newParsed(body, b.Stream, o.tables, true, sc) // parsed while loaded
	} else {
		p = parseBody(body, b.Stream, o.tables, false, sc)
	}
	defer func() { sc.keep(p) }()
	res, err := o.store(ctx, b, p, false)
	if p.tsv && err != nil && (isRowError(err) || errors.Is(err, errLoadRefused)) {
		p = parseBody(body, b.Stream, o.tables, false, nil) // rolled back: again by INSERT
		if errors.Is(err, errLoadRefused) {
			res, err = o.store(ctx, b, p, false)
		} // a row the load could not take: straight to row by row
	}
	if err != nil && isRowError(err) {
		res, err = o.store(ctx, b, p, true)
	}
	if err != nil {
		return o.classify("batch "+b.ID, err)
	}
	o.present.add(res.present)
	return o.rejectedErr(b, p, res)
}

// batchBody is the spooled body, or the events rendered when the batch
// came without one, in sc's body buffer.
func batchBody(b *event.Batch, sc *scratch) ([]byte, error) {
	if b.Body == nil {
		body := sc.body[:0]
		for _, e := range b.Events {
			body = append(e.AppendJSON(body), '\n')
		}
		sc.body = body
		return body, nil
	}
	if int64(cap(sc.body)) < b.Size {
		sc.body = make([]byte, b.Size)
	}
	body := sc.body[:b.Size]
	if _, err := b.Body.ReadAt(body, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("mysql: read batch %s: %w", b.ID, err)
	}
	return body, nil
}

// result is what a stored batch holds.
type result struct {
	rejected []int
	reason   string
	again    bool // stored by an earlier Write
	present  int  // rows skipped: their _id was stored already
}

func (o *Output) rejectedErr(b *event.Batch, p *parsed, res result) error {
	if len(res.rejected) == 0 {
		return nil
	}
	why := res.reason
	if res.again {
		why = "as when the batch was first stored"
	}
	err := fmt.Errorf("mysql %s: batch %s: %d of %d events rejected: %s", o.where, b.ID, len(res.rejected), p.lines, why)
	return outputs.RejectedEvents(err, res.rejected)
}

// store runs the batch's transaction. careful inserts row by row, to
// reject only the rows the server refuses.
func (o *Output) store(ctx context.Context, b *event.Batch, p *parsed, careful bool) (result, error) {
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		return result{}, err
	}
	defer tx.Rollback()
	if lines, found, err := storedBatch(ctx, tx, b.ID, o.name); err != nil || found {
		return result{rejected: lines, again: true}, err
	}
	refused, why, present, err := o.insertAll(ctx, tx, p, careful)
	if err != nil {
		return result{}, err
	}
	p.all() // a load parses the lines as it sends them; here every one is
	res := result{rejected: p.rejected, reason: p.reason, present: present}
	if len(refused) > 0 {
		res.rejected = mergeLines(res.rejected, refused)
		if res.reason == "" {
			res.reason = why
		}
	}
	if err := o.insertBatch(ctx, tx, b, p, res.rejected); err != nil {
		return result{}, o.manifestConflict(ctx, tx, b, err)
	}
	return res, tx.Commit()
}

func mergeLines(a, b []int) []int {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// insertAll writes every row, table by table; careful writes them one by
// one and returns the lines the server refused, with the first reason.
// present counts the rows skipped because their _id was stored already.
func (o *Output) insertAll(ctx context.Context, tx *sql.Tx, p *parsed, careful bool) (refused []int, why string, present int, err error) {
	packet := o.packetSize()
	var buf *[]byte // a 1.25 MiB statement buffer, taken only to INSERT
	defer func() {
		if buf != nil {
			putStmtBuf(buf)
		}
	}()
	for ti, t := range o.tables {
		if p.tsv && !careful {
			n, err := o.load(ctx, tx, t, ti, p, packet)
			if err != nil {
				return nil, "", 0, err
			}
			present += n
			continue
		}
		if buf == nil {
			buf = getStmtBuf()
		}
		in := newInserter(tx, t, packet, buf)
		for i := range p.rows {
			r := &p.rows[i]
			if r.table != ti {
				continue
			}
			if !careful {
				if err := in.add(ctx, p, r); err != nil {
					return nil, "", 0, err
				}
				continue
			}
			err := in.insertOne(ctx, p, r)
			switch {
			case err != nil && isRowError(err):
				if len(refused) == 0 {
					why = fmt.Sprintf("line %d: table %s: %v", r.line, t.name, err)
				}
				refused = append(refused, r.line)
			case err != nil:
				return nil, "", 0, err
			}
		}
		if err := in.flush(ctx); err != nil {
			return nil, "", 0, err
		}
		present += in.present
	}
	slices.Sort(refused)
	return refused, why, present, nil
}
