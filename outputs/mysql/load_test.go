package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auditship/auditship/outputs"
)

// nastyItems are values LOAD DATA's text format must escape, in typed
// columns and in the entry: a tab, a newline, a carriage return, a
// backslash, the two characters \N (a NULL in the format), 4-byte UTF-8.
const nastyItems = `"workflowInstanceId":"wi\tone","businessKey":"line1\nline2\r","identity":"back\\slash \\N",` +
	`"nodeName":"😀 𠀋","message":"\\N","variableName":""`

// rowsOf reads every column of every row of a table, by _id, as text (a
// NULL as "<null>").
func rowsOf(t *testing.T, srv *server, db, table string) [][]string {
	t.Helper()
	rows, err := srv.admin.Query("SELECT * FROM `" + db + "`.`" + table + "` ORDER BY `_id`")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
			if !v.Valid {
				row[i] = "<null>"
			}
		}
		out = append(out, row)
	}
	return out
}

// TestLoadMatchesInsert: a batch stored by LOAD DATA holds, column by
// column, what INSERT stores of it, escapes and NULLs included; a second
// load of the same rows stores nothing and counts them present.
func TestLoadMatchesInsert(t *testing.T) {
	srv := needServer(t)
	loaded, dbL := srv.created(t, nil)
	inserted, dbI := srv.created(t, nil)
	inserted.noLoad.Store(true)
	b := spooled(envelope(1, "workflow_node", wfItems), envelope(2, "messaging", msgItems), "not an envelope",
		envelope(3, "workflow", nastyItems), envelope(4, "timer", `"jobId":"j1","workflowInstanceId":null`))
	for _, o := range []*Output{loaded, inserted} {
		// the line in the middle is rejected (the load parses the lines
		// as it sends them), the others stored
		err := o.Write(context.Background(), b)
		if lines, ok := outputs.RejectedLines(err); !ok || !cmp.Equal(lines, []int{2}) {
			t.Fatalf("write: rejected lines %v, %v; want line 2", lines, err)
		}
	}
	if loaded.loaded.Load() == 0 || inserted.loaded.Load() != 0 {
		t.Fatalf("loads: %d by the LOAD DATA output, %d by the INSERT one", loaded.loaded.Load(), inserted.loaded.Load())
	}
	for _, table := range []string{"auditship_events", "auditship_integration_events"} {
		got, want := rowsOf(t, srv, dbL, table), rowsOf(t, srv, dbI, table)
		if len(want) == 0 {
			t.Fatalf("%s: no rows", table)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s by LOAD DATA (-INSERT +LOAD DATA):\n%s", table, diff)
		}
	}
	// the same rows in another batch: skipped as present, by their _id
	again := spooled(envelope(1, "workflow_node", wfItems), envelope(3, "workflow", nastyItems))
	again.ID = "s1-again"
	before := testutil.ToFloat64(loaded.present.c)
	if err := loaded.Write(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(t, dbL, "auditship_events", ""); n != 3 {
		t.Errorf("auditship_events has %d rows after a batch of stored rows, want 3", n)
	}
	if got := testutil.ToFloat64(loaded.present.c) - before; got != 2 {
		t.Errorf("%v rows counted present, want 2", got)
	}
}

// TestLoadRefusedFallsBackToInsert: a server that does not allow LOAD
// DATA LOCAL (local_infile = OFF, MySQL 8's default) gets the batch by
// INSERT, and the output says so once in its log. The test server is the
// suite's own private instance; the setting is put back after.
func TestLoadRefusedFallsBackToInsert(t *testing.T) {
	srv := needServer(t)
	var was string
	if err := srv.admin.QueryRow("SELECT @@GLOBAL.local_infile").Scan(&was); err != nil {
		t.Fatal(err)
	}
	srv.exec(t, "SET GLOBAL local_infile = 0")
	t.Cleanup(func() { srv.admin.Exec("SET GLOBAL local_infile = " + was) })
	core, logs := observer.New(zap.InfoLevel)
	o, db := srv.created(t, nil)
	o.log = zap.New(core)
	for i, b := range []string{"s1-a", "s1-b"} {
		batch := spooled(envelope(uint64(2*i+1), "workflow", wfItems), envelope(uint64(2*i+2), "messaging", msgItems))
		batch.ID = b
		if err := o.Write(context.Background(), batch); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if n := srv.count(t, db, "auditship_events", "") + srv.count(t, db, "auditship_integration_events", ""); n != 4 {
		t.Errorf("%d rows stored, want 4", n)
	}
	warned := 0
	for _, e := range logs.All() {
		if strings.Contains(e.Message, "refuses LOAD DATA LOCAL") {
			warned++
		}
	}
	if warned != 1 || !o.noLoad.Load() || o.loaded.Load() != 0 {
		t.Errorf("refusal logged %d times (want 1), LOAD DATA off %v, loads %d", warned, o.noLoad.Load(), o.loaded.Load())
	}
}
