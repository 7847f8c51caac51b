package s3

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

// TestMetaPutGetList stores chain files under the prefix and reads them
// back by name and by listing.
func TestMetaPutGetList(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Prefix = "audit/h2r/"
	o := newTestOutput(t, c)
	ctx := context.Background()
	files := map[string]string{
		"_auditship/manifests/orders/s1-2.json": `{"n":2}`,
		"_auditship/manifests/orders/s1-1.json": `{"n":1}`,
		"_auditship/checkpoints/orders/1":       "auditship/orders/archive/s1\n1\nroot\n",
	}
	for name, data := range files {
		if err := o.PutMeta(ctx, name, []byte(data)); err != nil {
			t.Fatalf("PutMeta %s: %v", name, err)
		}
	}
	for name, data := range files {
		got, err := o.GetMeta(ctx, name)
		if err != nil || string(got) != data {
			t.Errorf("GetMeta %s = %q, %v; want %q", name, got, err, data)
		}
	}
	want := []string{"_auditship/manifests/orders/s1-1.json", "_auditship/manifests/orders/s1-2.json"}
	if diff := cmp.Diff(want, listMeta(t, o, "_auditship/manifests/")); diff != "" {
		t.Errorf("ListMeta (-want +got):\n%s", diff)
	}
	if got := srv.keys(c.Bucket); len(got) != 3 || !strings.HasPrefix(got[0], "audit/h2r/_auditship/") {
		t.Errorf("stored keys %q, want the three under audit/h2r/_auditship/", got)
	}
}

func listMeta(t *testing.T, o *Output, dir string) []string {
	t.Helper()
	var names []string
	for name, err := range o.ListMeta(context.Background(), dir) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

func TestMetaContentType(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	o := newTestOutput(t, c)
	for name, want := range map[string]string{
		"_auditship/manifests/m.json": "application/json",
		"_auditship/checkpoints/1":    "text/plain; charset=utf-8",
	} {
		if err := o.PutMeta(context.Background(), name, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, out := srv.get(t, c.Bucket, name); aws.ToString(out.ContentType) != want {
			t.Errorf("%s: Content-Type %q, want %q", name, aws.ToString(out.ContentType), want)
		}
	}
}

// TestMetaCreateOnly: the same bytes again are a success (a re-sent
// manifest), other bytes a permanent key conflict that leaves the stored
// file alone.
func TestMetaCreateOnly(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Prefix = "audit"
	o := newTestOutput(t, c)
	ctx := context.Background()
	const name = "_auditship/manifests/m.json"
	for range 2 {
		if err := o.PutMeta(ctx, name, []byte(`{"n":1}`)); err != nil {
			t.Fatalf("PutMeta of the same bytes: %v", err)
		}
	}
	for _, other := range []string{`{"n":2}`, `{"n":22}`} { // same size, other size
		err := o.PutMeta(ctx, name, []byte(other))
		if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") ||
			!strings.Contains(err.Error(), "audit/"+name) {
			t.Errorf("PutMeta of other bytes: %v, want a permanent key conflict naming audit/%s", err, name)
		}
	}
	if got, _ := srv.get(t, c.Bucket, "audit/"+name); string(got) != `{"n":1}` {
		t.Errorf("stored file changed to %q", got)
	}
	if err := o.PutMeta(ctx, "manifests/m.json", []byte("x")); err == nil {
		t.Error("PutMeta accepted a name outside _auditship/")
	}
}

func TestMetaMissing(t *testing.T) {
	srv := needServer(t)
	o := newTestOutput(t, srv.config(srv.bucket(t)))
	if _, err := o.GetMeta(context.Background(), "_auditship/checkpoints/none"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("GetMeta of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := o.Open(context.Background(), outputs.BatchRef{Key: "gone.ndjson.gz"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing batch: %v, want fs.ErrNotExist (verify reports it missing)", err)
	}
	if names := listMeta(t, o, "_auditship/"); len(names) != 0 {
		t.Errorf("ListMeta of an empty bucket: %q", names)
	}
	o = newTestOutput(t, srv.config(newBucketName(t)))
	_, err := o.GetMeta(context.Background(), "_auditship/checkpoints/none")
	if errors.Is(err, fs.ErrNotExist) || !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "no such bucket") {
		t.Errorf("GetMeta in a missing bucket: %v, want a permanent no such bucket", err)
	}
	for _, err := range o.ListMeta(context.Background(), "_auditship/") {
		if !outputs.IsPermanent(err) {
			t.Errorf("ListMeta of a missing bucket: %v, want a permanent error", err)
		}
	}
}

// TestListSkipsMeta: chain files beside the batches are never listed as
// batches, and ListMeta lists no batch.
func TestListSkipsMeta(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Prefix, c.Key = "audit", "{{ batch_id }}"
	o := newTestOutput(t, c)
	ctx := context.Background()
	b, _ := spooled(t, o, plugintest.Events(1, 2, "flow"))
	if err := o.Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"_auditship/manifests/m.json", "_auditship/checkpoints/1"} {
		if err := o.PutMeta(ctx, name, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	for ref, err := range o.List(ctx, "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
	}
	if diff := cmp.Diff([]string{b.Key}, keys); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	want := []string{"_auditship/checkpoints/1", "_auditship/manifests/m.json"}
	if diff := cmp.Diff(want, listMeta(t, o, "_auditship/")); diff != "" {
		t.Errorf("ListMeta (-want +got):\n%s", diff)
	}
}
