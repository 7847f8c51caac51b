package mysql

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/outputs"
)

// indexName is the chain name of batch n's index record.
func indexName(n int) string {
	return strings.Replace(manifestName(n), "_auditship/manifests/", "_auditship/index/", 1)
}

// TestIndexRecordInBatchRow: a batch's index record goes into its row,
// in its transaction, byte for byte, and GetMeta and ListMeta serve it
// under its index name; a batch without one has none to list.
func TestIndexRecordInBatchRow(t *testing.T) {
	srv := needServer(t)
	o, db := srv.created(t, nil)
	ctx := context.Background()
	records := map[int]string{0: `{"v":1,"key":"a","fields":[{"name":"identity","n":1,"values":["😀 日本"]}]}`, 2: `{"v":1,"key":"c"}`}
	for i := range 3 {
		b := withManifest(spooled(envelope(uint64(10+i), "workflow", "")), manifestName(i), "{}")
		if r, ok := records[i]; ok {
			b.Index = []byte(r)
		}
		for range 2 { // a re-send leaves the row as it is
			if err := o.Write(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	var held []byte
	if err := srv.admin.QueryRow("SELECT `index_record` FROM `"+db+"`.`auditship_batches` WHERE `manifest_name` = ?",
		manifestName(0)).Scan(&held); err != nil || string(held) != records[0] {
		t.Errorf("index_record column = %q, %v; want %q", held, err, records[0])
	}
	for i := range 3 {
		got, err := o.GetMeta(ctx, indexName(i))
		if want, ok := records[i]; ok && (err != nil || string(got) != want) {
			t.Errorf("GetMeta(%s) = %q, %v; want %q", indexName(i), got, err, want)
		}
		if _, ok := records[i]; !ok && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("GetMeta(%s) of a batch without an index record = %q, %v; want not found", indexName(i), got, err)
		}
	}
	indexes := []string{indexName(0), indexName(2)}
	manifests := []string{manifestName(0), manifestName(1), manifestName(2)}
	for dir, want := range map[string][]string{
		"_auditship/index/orders/db/s1/": indexes,
		"_auditship/index/":              indexes,
		"_auditship/":                    append(append([]string{}, indexes...), manifests...),
		"_auditship/manifests/":          manifests,
		"_auditship/index/orders/x/":     nil,
	} {
		if diff := cmp.Diff(want, listMeta(t, o, dir)); diff != "" {
			t.Errorf("ListMeta(%s) (-want +got):\n%s", dir, diff)
		}
	}
	if err := o.PutMeta(ctx, indexName(1), []byte("{}")); !outputs.IsPermanent(err) {
		t.Errorf("PutMeta of an index record: %v; want a permanent error (it comes with its batch)", err)
	}
}
