package mysql

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// manifestBytes is a manifest whose bytes a normalising server would
// change: 4-byte UTF-8, escapes, a number's spelling, member order,
// spaces and a trailing newline.
const manifestBytes = `{"pipeline":"orders","note":"😀 𠀋𡈽 日本語","esc":"\u00e9 \"q\" \\ \/",` +
	`"n":1.50e3, "z":{"b":[1, 2],"a":null}}` + "\n"

// manifestName is the chain name of batch n's manifest.
func manifestName(n int) string {
	return "_auditship/manifests/orders/db/s1/" + strings.Repeat("0", 19) + string(rune('0'+n)) + ".json"
}

// withManifest gives b a manifest under a chain name.
func withManifest(b *event.Batch, name, data string) *event.Batch {
	b.ManifestName, b.Manifest = name, []byte(data)
	return b
}

// manifestRow is the manifest stored under name, and how many rows hold
// the name.
func (srv *server) manifestRow(t *testing.T, db, name string) ([]byte, int) {
	t.Helper()
	var data []byte
	rows, err := srv.admin.Query("SELECT `manifest` FROM `"+db+"`.`auditship_batches` WHERE `manifest_name` = ?", name)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		n++
	}
	return data, n
}

// TestWriteStoresManifestByteIdentical: the manifest goes into the
// batch's row as it is; a re-send stores no second row and leaves it.
func TestWriteStoresManifestByteIdentical(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	b := withManifest(spooled(envelope(1, "workflow", wfItems), envelope(2, "messaging", msgItems)), manifestName(0), manifestBytes)
	for i := range 2 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	got, n := srv.manifestRow(t, db, b.ManifestName)
	if n != 1 || string(got) != manifestBytes {
		t.Errorf("%d rows, manifest:\n got %q\nwant %q", n, got, manifestBytes)
	}
	if n := srv.count(t, db, "auditship_batches", "`batch_id` = ?", b.ID); n != 1 {
		t.Errorf("%d batch rows, want 1", n)
	}
	read, err := o.GetMeta(context.Background(), b.ManifestName)
	if err != nil || string(read) != manifestBytes {
		t.Errorf("GetMeta = %q, %v", read, err)
	}
}

// TestWriteWithoutManifestIsNull: batches without a chain leave both
// columns NULL, any number of them (the UNIQUE key allows NULLs).
func TestWriteWithoutManifestIsNull(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	for _, b := range []*event.Batch{spooled(envelope(1, "workflow", "")), spooled(envelope(2, "workflow", ""))} {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.count(t, db, "auditship_batches", "`manifest_name` IS NULL AND `manifest` IS NULL"); n != 2 {
		t.Errorf("%d batch rows without a manifest, want 2", n)
	}
}

// TestManifestNameTakenStoresNothing: a batch whose manifest name another
// batch holds fails permanently in its transaction: none of its rows, no
// batch row, the other manifest untouched.
func TestManifestNameTakenStoresNothing(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	b1 := withManifest(spooled(envelope(1, "workflow", "")), manifestName(0), manifestBytes)
	b2 := withManifest(spooled(envelope(2, "workflow", ""), envelope(3, "messaging", "")), manifestName(0), `{"other":true}`)
	if err := o.Write(context.Background(), b1); err != nil {
		t.Fatal(err)
	}
	err := o.Write(context.Background(), b2)
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") || !strings.Contains(err.Error(), b1.ID) {
		t.Fatalf("permanent %v: %v", outputs.IsPermanent(err), err)
	}
	if n := srv.count(t, db, "auditship_events", "`_seq` > 1") + srv.count(t, db, "auditship_integration_events", ""); n != 0 {
		t.Errorf("%d rows of the failed batch stored", n)
	}
	if n := srv.count(t, db, "auditship_batches", "`batch_id` = ?", b2.ID); n != 0 {
		t.Errorf("the failed batch has a row")
	}
	if got, n := srv.manifestRow(t, db, manifestName(0)); n != 1 || string(got) != manifestBytes {
		t.Errorf("%d rows, manifest %q", n, got)
	}
}

// TestManifestReplacedAfterRefusal: a batch with a refused event is stored
// with its first manifest; PutMeta replaces it (the sender's reseal), the
// same bytes again are a success, and a re-send leaves the replacement.
func TestManifestReplacedAfterRefusal(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	long := `"businessKey":"` + strings.Repeat("x", 300) + `"`
	b := withManifest(spooled(envelope(1, "workflow", ""), envelope(2, "workflow", long)), manifestName(0), manifestBytes)
	for i := range 2 {
		if lines, ok := outputs.RejectedLines(o.Write(context.Background(), b)); !ok || !cmp.Equal(lines, []int{1}) {
			t.Fatalf("write %d: rejected %v", i, lines)
		}
		if i == 1 {
			break
		}
		if got, _ := srv.manifestRow(t, db, b.ManifestName); string(got) != manifestBytes {
			t.Fatalf("first manifest %q", got)
		}
		resealed := strings.Replace(manifestBytes, "orders", "orders-resealed 😀", 1)
		for range 2 {
			if err := o.PutMeta(context.Background(), b.ManifestName, []byte(resealed)); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := o.GetMeta(context.Background(), b.ManifestName); err != nil || string(got) != resealed {
			t.Fatalf("GetMeta = %q, %v", got, err)
		}
	}
	if got, n := srv.manifestRow(t, db, b.ManifestName); n != 1 || !bytes.Contains(got, []byte("orders-resealed 😀")) {
		t.Errorf("%d rows, manifest after re-send %q", n, got)
	}
}
