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
