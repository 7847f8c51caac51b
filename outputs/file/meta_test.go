package file

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

func TestPutMetaCreateOnly(t *testing.T) {
	o := newTestOutput(t, nil)
	ctx := context.Background()
	name := "_auditship/manifests/orders/archive/s1/00000000000000000000.json"
	if err := o.PutMeta(ctx, name, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := o.PutMeta(ctx, name, []byte("one")); err != nil {
		t.Errorf("same bytes again: %v, want nil (a manifest re-sent after a crash)", err)
	}
	err := o.PutMeta(ctx, name, []byte("two"))
	if !outputs.IsPermanent(err) {
		t.Errorf("other bytes: %v, want a permanent key conflict", err)
	}
	got, err := o.GetMeta(ctx, name)
	if err != nil || string(got) != "one" {
		t.Errorf("GetMeta = %q, %v; want the first bytes kept", got, err)
	}
	fi, err := os.Stat(filepath.Join(o.dir, filepath.FromSlash(name)))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("stored file: %v, %v; want mode 0600", fi, err)
	}
}

func TestPutMetaRefusesOtherNames(t *testing.T) {
	o := newTestOutput(t, nil)
	for _, name := range []string{"orders/x.json", "_auditship/../../escape", "../_auditship/x"} {
		if err := o.PutMeta(context.Background(), name, []byte("x")); !outputs.IsPermanent(err) {
			t.Errorf("PutMeta(%q) = %v, want a permanent error", name, err)
		}
	}
}

func TestGetMetaMissing(t *testing.T) {
	o := newTestOutput(t, nil)
	_, err := o.GetMeta(context.Background(), "_auditship/checkpoints/none.txt")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("GetMeta of a missing name = %v, want fs.ErrNotExist", err)
	}
}

func TestListMetaInNameOrder(t *testing.T) {
	o := newTestOutput(t, nil)
	ctx := context.Background()
	names := []string{
		"_auditship/manifests/a/x/s/00000000000000000002.json",
		"_auditship/manifests/a-b/x/s/00000000000000000000.json", // "-" sorts before "/"
		"_auditship/manifests/a/x/s/00000000000000000000.json",
		"_auditship/checkpoints/a/x/s/1.txt",
	}
	for _, n := range names {
		if err := o.PutMeta(ctx, n, []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(o.dir, "_auditship/manifests/a/x/s", tmpPrefix+"1"), []byte("partial"), 0o600)
	got := listMeta(t, o, "_auditship/manifests/")
	want := []string{
		"_auditship/manifests/a-b/x/s/00000000000000000000.json",
		"_auditship/manifests/a/x/s/00000000000000000000.json",
		"_auditship/manifests/a/x/s/00000000000000000002.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListMeta (-want +got):\n%s", diff)
	}
	if got := listMeta(t, o, "_auditship/nothing/"); len(got) != 0 {
		t.Errorf("ListMeta of a missing dir = %q, want none", got)
	}
}

func TestListMetaStops(t *testing.T) {
	o := newTestOutput(t, nil)
	for _, n := range []string{"_auditship/m/1", "_auditship/m/2"} {
		if err := o.PutMeta(context.Background(), n, []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for range o.ListMeta(context.Background(), "_auditship/") {
		n++
		break
	}
	if n != 1 {
		t.Errorf("yielded %d names after a break", n)
	}
}

func TestListSkipsChainFiles(t *testing.T) {
	o := newTestOutput(t, nil)
	ctx := context.Background()
	if err := o.Write(ctx, batchOf(o, plugintest.Events(1, 3, "flow"))); err != nil {
		t.Fatal(err)
	}
	if err := o.PutMeta(ctx, "_auditship/manifests/orders/archive/s1/0.json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for ref, err := range o.List(ctx, "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
	}
	if diff := cmp.Diff([]string{wantName}, keys); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
}

func listMeta(t *testing.T, o *Output, dir string) []string {
	t.Helper()
	var out []string
	for n, err := range o.ListMeta(context.Background(), dir) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}
