package mysql

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// Rows whose _id is stored already are skipped and counted; Present
// names them before a write.
func TestPresentRowsSkippedAndCounted(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, spooled(envelope(1, "workflow", wfItems), envelope(2, "messaging", msgItems))); err != nil {
		t.Fatal(err)
	}
	got, err := o.Present(ctx, []string{"id-1", "id-2", "id-3"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"id-1": true, "id-2": true}, got); diff != "" {
		t.Errorf("Present (-want +got):\n%s", diff)
	}
	// Another batch (another stream's ids) holding id-2 again and a new id-3.
	b := spooled(envelope(2, "messaging", msgItems), envelope(3, "workflow", wfItems))
	b.ID, b.Stream = fmt.Sprintf("s2-%020d", 2), "s2"
	if err := o.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := testutil.ToFloat64(o.present.c); n != 1 {
		t.Errorf("auditship_mysql_rows_present_total = %v, want 1", n)
	}
	if n := srv.count(t, db, "auditship_integration_events", "`_id` = 'id-2' AND `stream` = 's1'"); n != 1 {
		t.Errorf("%d rows of id-2 from the first stream, want 1 (the stored row kept)", n)
	}
}

// A table empty at Present's first call is not searched by that Output
// again: a replay into fresh tables runs no lookup. Rows written since
// are still kept once, by the Write's own _id check; an Output that finds
// the tables holding rows looks in both.
func TestPresentSkipsTablesEmptyAtFirstCall(t *testing.T) {
	srv := needServer(t)
	lookup, db := srv.created(t, nil)
	ctx := context.Background()
	got, err := lookup.Present(ctx, []string{"id-1", "id-2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 || lookup.lookups.Load() != 0 {
		t.Fatalf("fresh tables: found %v with %d lookups, want nothing and no lookup", got, lookup.lookups.Load())
	}
	writer := newTestOutput(t, srv.config(db))
	if err := writer.Write(ctx, spooled(envelope(1, "workflow", wfItems), envelope(2, "messaging", msgItems))); err != nil {
		t.Fatal(err)
	}
	if got, err = lookup.Present(ctx, []string{"id-1", "id-2"}); err != nil || len(got) != 0 || lookup.lookups.Load() != 0 {
		t.Fatalf("same Output after a write: found %v (err %v) with %d lookups, want the empty tables unsearched",
			got, err, lookup.lookups.Load())
	}
	// What Present no longer sees, the Write keeps once.
	b := spooled(envelope(2, "messaging", msgItems), envelope(3, "workflow", wfItems))
	b.ID, b.Stream = fmt.Sprintf("s2-%020d", 2), "s2"
	if err := writer.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(t, db, "auditship_integration_events", "`_id` = 'id-2'"); n != 1 {
		t.Errorf("%d rows of id-2, want 1", n)
	}
	fresh := newTestOutput(t, srv.config(db))
	if got, err = fresh.Present(ctx, []string{"id-1", "id-2", "id-4"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"id-1": true, "id-2": true}, got); diff != "" {
		t.Errorf("tables holding rows: Present (-want +got):\n%s", diff)
	}
	if n := fresh.lookups.Load(); n != 2 {
		t.Errorf("%d lookup statements, want 2 (one per table)", n)
	}
}
