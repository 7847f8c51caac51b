package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"slices"

	"github.com/auditship/auditship/internal/event"
)

// A batch's rows cost the server far more than anything else of a write
// (its indexes: a random _id primary key and five secondary keys), and one
// load keeps one server core busy. So while the sender writes a batch, the
// next one is loaded ahead on a second connection (Prepare) into a
// transaction left open: nobody sees its rows, and its Write only adds
// the batch's auditship_batches row and commits. On two cores that loads
// a replay 1.5 to 2 times as fast. The one order it can upset: a row of
// the batch ahead whose _id the batch being written also holds (a line
// read twice) makes the earlier write wait for the later one's
// transaction. The server ends that wait after innodb_lock_wait_timeout
// (lockWaitSeconds), and Write then drops the load ahead and goes again.

// stage is a batch loaded ahead of its Write.
type stage struct {
	id    string
	size  int64
	count int
	last  uint64
	sc    *scratch // sc.body holds the batch's lines
	done  chan struct{}

	// set by the load, read after done
	tx  *sql.Tx // open, its rows loaded; nil when the load failed or found the batch stored
	p   *parsed
	res result
	err error
}

// Prepare starts loading b's rows in a transaction of their own, to be
// committed by Write(b) (outputs.Preparer). It does nothing when the
// server takes no LOAD DATA (INSERTs of a batch ahead would hold the
// pool's connections for little gain), or with max_open_conns = 1: the
// stage would hold the one connection that a checkpoint written before
// b's Write needs.
func (o *Output) Prepare(ctx context.Context, b *event.Batch) {
	if !o.useLoad() || b.Body == nil || o.conns < 2 {
		return
	}
	sc := o.getScratch()
	if int64(cap(sc.body)) < b.Size {
		sc.body = make([]byte, b.Size)
	}
	sc.body = sc.body[:b.Size]
	if _, err := b.Body.ReadAt(sc.body, 0); err != nil && err != io.EOF {
		o.putScratch(sc)
		return // Write does it all
	}
	st := &stage{id: b.ID, size: b.Size, count: b.Count, last: b.LastSeq, sc: sc, done: make(chan struct{})}
	o.stageMu.Lock()
	var old *stage
	if len(o.staged) == maxStages {
		old = o.staged[0]
		o.staged = slices.Delete(o.staged, 0, 1)
	}
	o.staged = append(o.staged, st)
	o.stageMu.Unlock()
	if old != nil {
		<-old.done
		o.release(old)
	}
	go o.loadAhead(ctx, st, b.Stream)
}

// maxStages: the batch whose Write is starting and the one after it. An
// older one is a batch that was never written (spooled again after a
// failure) and goes.
const maxStages = 2

// loadAhead runs a stage: the batch's rows into an open transaction, or what
// an earlier Write stored of it.
func (o *Output) loadAhead(ctx context.Context, st *stage, stream string) {
	defer close(st.done)
	if st.err = o.prepare(ctx); st.err != nil {
		return
	}
	tx, err := o.db.BeginTx(ctx, nil)
	if err != nil {
		st.err = err
		return
	}
	st.p = newParsed(st.sc.body, stream, o.tables, true, st.sc)
	if lines, found, err := storedBatch(ctx, tx, st.id, o.name); err != nil || found {
		tx.Rollback()
		st.p.all()
		st.res, st.err = result{rejected: lines, again: true}, err
		return
	}
	_, _, present, err := o.insertAll(ctx, tx, st.p, false)
	if err != nil {
		tx.Rollback()
		st.err = err
		return
	}
	st.p.all()
	st.res = result{rejected: st.p.rejected, reason: st.p.reason, present: present}
	st.tx = tx
}

// takeStage returns the stage of batch id, done, and forgets it; nil when
// the batch was not loaded ahead. Stages of batches before it, never
// written, are dropped.
func (o *Output) takeStage(id string) *stage {
	var st *stage
	var drop []*stage
	o.stageMu.Lock()
	o.staged = slices.DeleteFunc(o.staged, func(s *stage) bool {
		switch {
		case s.id == id:
			st = s
		case s.id < id: // ids of a stream sort as their first sequence number
			drop = append(drop, s)
		default:
			return false
		}
		return true
	})
	o.stageMu.Unlock()
	for _, s := range drop {
		<-s.done
		o.release(s)
	}
	if st != nil {
		<-st.done
	}
	return st
}

// dropStages rolls back every stage; it reports whether there was one.
func (o *Output) dropStages() bool {
	o.stageMu.Lock()
	drop := o.staged
	o.staged = nil
	o.stageMu.Unlock()
	for _, st := range drop {
		<-st.done
		o.release(st)
	}
	return len(drop) > 0
}

func (o *Output) release(st *stage) {
	if st.tx != nil {
		st.tx.Rollback()
		st.tx = nil
	}
	if st.p != nil {
		st.sc.keep(st.p)
	}
	o.putScratch(st.sc)
}

// commitStage finishes b from its stage: when the stage holds exactly b's
// lines, b's auditship_batches row is added and the transaction committed.
// used is false when the stage cannot be used (its load failed, or it
// holds other lines): it is rolled back, and b is written as if never
// prepared.
func (o *Output) commitStage(ctx context.Context, b *event.Batch, st *stage) (used bool, err error) {
	defer o.release(st)
	if st.err != nil || st.size != b.Size || st.count != b.Count || st.last != b.LastSeq || !sameBody(b.Body, st.sc.body) {
		return false, nil
	}
	if st.res.again { // stored by an earlier run
		return true, o.rejectedErr(b, st.p, st.res)
	}
	if err := o.insertBatch(ctx, st.tx, b, st.p, st.res.rejected); err != nil {
		return true, o.classify("batch "+b.ID, o.manifestConflict(ctx, st.tx, b, err))
	}
	if err := st.tx.Commit(); err != nil {
		return true, o.classify("batch "+b.ID, err)
	}
	st.tx = nil
	o.present.add(st.res.present)
	return true, o.rejectedErr(b, st.p, st.res)
}

// sameBody reports whether r holds exactly want, read in small pieces.
func sameBody(r io.ReaderAt, want []byte) bool {
	if r == nil {
		return false
	}
	var buf [64 << 10]byte
	for off := 0; off < len(want); {
		n, err := r.ReadAt(buf[:min(len(buf), len(want)-off)], int64(off))
		if n == 0 || !bytes.Equal(buf[:n], want[off:off+n]) {
			return false
		}
		off += n
		if err != nil && err != io.EOF {
			return false
		}
	}
	var one [1]byte
	n, _ := r.ReadAt(one[:], int64(len(want)))
	return n == 0
}

// getScratch lends the buffers of an earlier Write or stage.
func (o *Output) getScratch() *scratch {
	for i := range o.spare {
		if sc := o.spare[i].Swap(nil); sc != nil {
			return sc
		}
	}
	return &scratch{}
}

func (o *Output) putScratch(sc *scratch) {
	for i := range o.spare {
		if o.spare[i].CompareAndSwap(nil, sc) {
			return
		}
	}
}
