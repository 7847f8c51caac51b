package mysql

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// stagedLines are n envelope lines from seq first on.
func stagedLines(first uint64, n int) []string {
	lines := make([]string, n)
	for i := range lines {
		lines[i] = envelope(first+uint64(i), "workflow_node", wfItems)
	}
	return lines
}

// TestPreparedBatchIsCommittedByItsWrite: a batch prepared while the one
// before it is written is loaded ahead, unseen, and its Write commits it
// without loading it again.
func TestPreparedBatchIsCommittedByItsWrite(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, spooled(stagedLines(1, 50)...)); err != nil {
		t.Fatal(err)
	}
	next := spooled(stagedLines(51, 50)...)
	o.Prepare(ctx, next)
	if len(o.staged) != 1 {
		t.Fatalf("%d batches loaded ahead, want 1", len(o.staged))
	}
	st := o.staged[0]
	<-st.done
	if st.err != nil || st.tx == nil {
		t.Fatalf("the load ahead failed: %v", st.err)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 50 {
		t.Fatalf("%d rows seen while the next batch is only loaded ahead, want 50", n)
	}
	loads := o.loaded.Load()
	if err := o.Write(ctx, spooled(stagedLines(51, 50)...)); err != nil {
		t.Fatal(err)
	}
	if got := o.loaded.Load() - loads; got != 0 {
		t.Fatalf("the Write of the prepared batch loaded %d times, want 0 (it commits the load ahead)", got)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 100 {
		t.Fatalf("%d rows, want 100", n)
	}
	if n := srv.count(t, db, "auditship_batches", "batch_id = ?", next.ID); n != 1 {
		t.Fatalf("%d batch rows for %s, want 1", n, next.ID)
	}
	if len(o.staged) != 0 {
		t.Fatal("the stage is kept after its Write")
	}
}

// TestPreparedBatchWrittenOtherwiseIsDropped: a Write of the same batch id
// with other lines (a batch spooled again after a failure) stores its own
// lines, never those loaded ahead.
func TestPreparedBatchWrittenOtherwiseIsDropped(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	ahead := stagedLines(1, 20)
	o.Prepare(ctx, spooled(ahead...))
	written := stagedLines(1, 20)
	written[7] = envelope(8, "workflow_node", `"nodeName":"other"`)
	if err := o.Write(ctx, spooled(written...)); err != nil {
		t.Fatal(err)
	}
	var entry string
	if err := srv.admin.QueryRow("SELECT entry FROM `" + db + "`.auditship_events WHERE _id = 'id-8'").Scan(&entry); err != nil {
		t.Fatal(err)
	}
	if entry != written[7] {
		t.Fatalf("row id-8 holds %q, want the written line %q", entry, written[7])
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 20 {
		t.Fatalf("%d rows, want 20", n)
	}
}

// TestPreparedBatchHoldingARowOfTheWrittenOneIsDropped: when the batch
// loaded ahead holds an _id of the batch being written (a line read
// twice), the write waits for its lock; the wait ends, the load ahead is
// dropped and the write goes through, each row once, and the batch loaded
// ahead is then written whole.
func TestPreparedBatchHoldingARowOfTheWrittenOneIsDropped(t *testing.T) {
	srv := needServer(t)
	defer func(s int) { lockWaitSeconds = s }(lockWaitSeconds)
	lockWaitSeconds = 1
	o, db := srv.created(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, spooled(stagedLines(1, 5)...)); err != nil { // tables, packet size
		t.Fatal(err)
	}
	first := stagedLines(10, 30)
	ahead := append(stagedLines(40, 10), first[12]) // id-22 in both
	o.Prepare(ctx, spooled(ahead...))
	<-o.staged[0].done
	if o.staged[0].err != nil {
		t.Fatal(o.staged[0].err)
	}
	start := time.Now()
	if err := o.Write(ctx, spooled(first...)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the write took %v", d)
	}
	if len(o.staged) != 0 {
		t.Fatal("the load ahead was kept")
	}
	if err := o.Write(ctx, spooled(ahead...)); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 45 {
		t.Fatalf("%d rows, want 45", n)
	}
	if n := srv.count(t, db, "auditship_events", "_id = 'id-22'"); n != 1 {
		t.Fatalf("%d rows of id-22, want 1", n)
	}
	if n := srv.count(t, db, "auditship_batches", ""); n != 3 {
		t.Fatalf("%d batch rows, want 3", n)
	}
}

// TestPreparedBatchIsRolledBackAtClose: a batch loaded ahead and never
// written leaves nothing behind and holds no lock after Close.
func TestPreparedBatchIsRolledBackAtClose(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, spooled(stagedLines(1, 5)...)); err != nil {
		t.Fatal(err)
	}
	o.Prepare(ctx, spooled(stagedLines(6, 5)...))
	<-o.staged[0].done
	if err := o.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 5 {
		t.Fatalf("%d rows after Close, want 5", n)
	}
	// no lock left: another writer takes the same rows at once
	o2 := newTestOutput(t, srv.config(db))
	ctx2, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := o2.Write(ctx2, spooled(stagedLines(6, 5)...)); err != nil {
		t.Fatal(fmt.Errorf("a batch of the rows loaded ahead: %w", err))
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 10 {
		t.Fatalf("%d rows, want 10", n)
	}
}

// TestTwoPreparedBatchesAreBothCommitted: the next batch may be prepared
// before the Write of the one prepared before it has taken its load; both
// loads are used. A batch prepared and never written is dropped by the
// Write of a batch after it.
func TestTwoPreparedBatchesAreBothCommitted(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, spooled(stagedLines(1, 5)...)); err != nil {
		t.Fatal(err)
	}
	o.Prepare(ctx, spooled(stagedLines(6, 5)...)) // never written: spooled again as 6..12
	o.Prepare(ctx, spooled(stagedLines(11, 5)...))
	o.Prepare(ctx, spooled(stagedLines(16, 5)...))
	if len(o.staged) != maxStages {
		t.Fatalf("%d batches loaded ahead, want %d", len(o.staged), maxStages)
	}
	for _, st := range o.staged {
		<-st.done
		if st.err != nil || st.tx == nil {
			t.Fatalf("the load ahead of %s failed: %v", st.id, st.err)
		}
	}
	loads := o.loaded.Load()
	for _, first := range []uint64{11, 16} {
		if err := o.Write(ctx, spooled(stagedLines(first, 5)...)); err != nil {
			t.Fatal(err)
		}
	}
	if got := o.loaded.Load() - loads; got != 0 {
		t.Fatalf("the Writes of the prepared batches loaded %d times, want 0", got)
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 15 {
		t.Fatalf("%d rows, want 15 (the batch from 6 was never written)", n)
	}
	// the batch from 6 spooled again, loaded ahead, and a later Write
	// drops it before its own
	o.Prepare(ctx, spooled(stagedLines(6, 5)...))
	if err := o.Write(ctx, spooled(stagedLines(21, 5)...)); err != nil {
		t.Fatal(err)
	}
	if len(o.staged) != 0 {
		t.Fatalf("%d loads kept after a later batch's Write", len(o.staged))
	}
	if n := srv.count(t, db, "auditship_events", ""); n != 20 {
		t.Fatalf("%d rows, want 20", n)
	}
}
