package e2e

import (
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMySQLKillAfterCommit kills the agent with SIGKILL right after the
// server confirmed a batch's COMMIT, before the agent saw the OK (so
// before its journal's done mark and cursor), 10 runs in a row, while a
// writer appends to the tailed log; run i dies at its (i%3+1)th COMMIT,
// so the runs get past the batch the previous one left journaled. After
// a last clean run every entry is stored exactly once, and
// auditship_batches holds each batch once: no two rows cover the same
// sequence numbers, and they count every row.
func TestMySQLKillAfterCommit(t *testing.T) {
	t.Parallel()
	srv := sharedMySQL(t)
	d := srv.database(t, true)
	trap := newCommitTrap(t, srv.addr)
	dataDir, log := t.TempDir(), filepath.Join(t.TempDir(), "app.log")
	cfg := config{dataDir: dataDir, input: fileInput(log + "*"),
		outputs: []string{d.output(myOpts{addr: trap.addr(), create: true, events: 200, interval: "100ms"})}}.write(t)
	w := newFileWriter(t, log, time.Millisecond)
	w.start()
	const kills = 10
	resent := 0
	for i := range kills {
		p := start(t, false, "run", "-c", cfg)
		killAtCommit(t, trap, p, int64(i%3+1))
		checkCommittedNotDone(t, d, dataDir)
		if strings.Contains(p.log(), "re-sending a journaled batch") {
			resent++
		}
		checkNoPassword(t, p, d)
	}
	trap.setHook(nil)
	p := start(t, false, "run", "-c", cfg)
	time.Sleep(500 * time.Millisecond)
	ids := w.stop()
	d.waitRows(t, len(ids), 60*time.Second, defaultTables...)
	p.stop(15 * time.Second)
	rows := d.rows(t, defaultTables...)
	t.Logf("%d entries over %d kills after COMMIT (%d commits in all); %d runs re-sent a journaled batch",
		len(ids), kills, trap.commits.Load(), resent)
	assertExact(t, tallyRows(t, rows), ids)
	checkBatchRows(t, d, len(rows))
	checkMySQLLog(t, p, d)
	if resent == 0 {
		t.Error("no run re-sent the batch a kill left journaled: the kills missed the window after COMMIT")
	}
}

// killAtCommit kills p when the trap sees the nth COMMIT from now
// confirmed, and waits for it to die.
func killAtCommit(t *testing.T, trap *commitTrap, p *proc, nth int64) {
	t.Helper()
	base := trap.commits.Load()
	killed := make(chan struct{})
	trap.setHook(func(n int64) bool {
		if n-base < nth {
			return false
		}
		if n-base == nth {
			p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
			close(killed)
		}
		return true // and any straggler of the dying run
	})
	select {
	case <-killed:
	case <-time.After(60 * time.Second):
		t.Fatalf("no COMMIT %d within 60s (%d so far)", nth, trap.commits.Load()-base)
	}
	trap.setHook(func(int64) bool { return true }) // nothing passes between runs
}

// checkCommittedNotDone: the kill came in the window after COMMIT: the
// batch the journal holds as not done is committed, its row in
// auditship_batches.
func checkCommittedNotDone(t *testing.T, d *myDB, dataDir string) {
	t.Helper()
	pending := undone(readJournal(dataDir, "arch"))
	if len(pending) != 1 {
		t.Fatalf("%d batches not done in the journal at the kill, want the 1 just committed", len(pending))
	}
	id := pending[0].ID
	if n := d.count(t, "SELECT COUNT(*) FROM DB."+batchesTable+" WHERE batch_id = '"+id+"'"); n != 1 {
		t.Errorf("batch %s, not done in the journal at the kill, has %d rows in %s, want 1 (committed)", id, n, batchesTable)
	}
}

// checkBatchRows wants auditship_batches to hold each batch once: the
// sequence ranges of its rows disjoint, their counts summing to rows.
func checkBatchRows(t *testing.T, d *myDB, rows int) {
	t.Helper()
	type span struct{ first, last uint64 }
	rs, err := d.root.Query("SELECT first_seq, last_seq FROM " + d.name + "." + batchesTable)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var spans []span
	for rs.Next() {
		var s span
		if err := rs.Scan(&s.first, &s.last); err != nil {
			t.Fatal(err)
		}
		spans = append(spans, s)
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].first < spans[j].first })
	for i := 1; i < len(spans); i++ {
		if spans[i].first <= spans[i-1].last {
			t.Errorf("batch rows overlap: seqs %v and %v (a batch stored twice under two ids?)", spans[i-1], spans[i])
		}
	}
	if got := d.count(t, "SELECT SUM(`count`) FROM DB."+batchesTable); got != rows {
		t.Errorf("%d batch rows count %d events, want the %d rows stored", len(spans), got, rows)
	}
}
