package file

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/zstd"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

const wantName = "orders/2024/05/13/orders_20240513T080001Z_s1-00000000000000000001.ndjson"

// encoded is what a batch's file must hold (codec without compression).
func encoded(o *Output) []byte {
	var buf bytes.Buffer
	enc, _ := objectstore.NewEncoder(&buf, o.Codec, 0)
	for _, e := range plugintest.Events(1, 3, "flow") {
		enc.Encode(e)
	}
	enc.Close()
	return buf.Bytes()
}

func TestWrite(t *testing.T) {
	o := newTestOutput(t, nil)
	if err := o.Write(context.Background(), batchOf(o, plugintest.Events(1, 3, "flow"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"-rw------- " + wantName,
		"drwx------ orders",
		"drwx------ orders/2024",
		"drwx------ orders/2024/05",
		"drwx------ orders/2024/05/13",
	}
	if diff := cmp.Diff(want, tree(t, o.dir)); diff != "" {
		t.Fatalf("files (-want +got):\n%s", diff)
	}
	got, _ := os.ReadFile(filepath.Join(o.dir, wantName))
	if diff := cmp.Diff(string(encoded(o)), string(got)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
}

func TestWriteAgainIsIdempotent(t *testing.T) {
	o := newTestOutput(t, nil)
	b := batchOf(o, plugintest.Events(1, 3, "flow"))
	for i := range 3 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if got := tree(t, o.dir); len(got) != 5 {
		t.Errorf("after three writes of one batch: %q, want one file", got)
	}
}

func TestWriteKeyConflict(t *testing.T) {
	o := newTestOutput(t, nil)
	final := filepath.Join(o.dir, wantName)
	os.MkdirAll(filepath.Dir(final), 0o700)
	os.WriteFile(final, []byte("someone else's data\n"), 0o600)
	err := o.Write(context.Background(), batchOf(o, plugintest.Events(1, 3, "flow")))
	if err == nil || !strings.Contains(err.Error(), "key conflict") || !strings.Contains(err.Error(), wantName) {
		t.Fatalf("Write over another file: %v, want a key conflict naming %s", err, wantName)
	}
	if !outputs.IsPermanent(err) {
		t.Error("key conflict is not permanent")
	}
	if got, _ := os.ReadFile(final); string(got) != "someone else's data\n" {
		t.Errorf("existing file changed to %q", got)
	}
	if got := tree(t, o.dir); len(got) != 5 {
		t.Errorf("files: %q, want no temp file left", got)
	}
}

// TestWriteSyncs checks the durability order: the temp file is fsynced
// before it is linked, and the directories after.
func TestWriteSyncs(t *testing.T) {
	o := newTestOutput(t, nil)
	final := filepath.Join(o.dir, wantName)
	var log []string
	o.syncFile = func(f *os.File) error {
		_, err := os.Stat(final)
		log = append(log, "file linked="+boolText(err == nil))
		return f.Sync()
	}
	o.syncDir = func(dir string) error {
		_, err := os.Stat(final)
		rel, _ := filepath.Rel(o.dir, dir)
		log = append(log, "dir "+filepath.ToSlash(rel)+" linked="+boolText(err == nil))
		return syncDir(dir)
	}
	if err := o.Write(context.Background(), batchOf(o, plugintest.Events(1, 3, "flow"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"file linked=no",
		"dir orders/2024/05/13 linked=yes", "dir orders/2024/05 linked=yes", "dir orders/2024 linked=yes",
		"dir orders linked=yes", "dir . linked=yes",
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("syncs (-want +got):\n%s", diff)
	}
}

func boolText(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func TestWriteSyncErrorFails(t *testing.T) {
	o := newTestOutput(t, nil)
	o.syncFile = func(*os.File) error { return syscall.EIO }
	err := o.Write(context.Background(), batchOf(o, plugintest.Events(1, 3, "flow")))
	if !errors.Is(err, syscall.EIO) || outputs.IsPermanent(err) {
		t.Fatalf("Write with a failing fsync: %v, want a retryable EIO", err)
	}
	for _, f := range tree(t, o.dir) {
		if !strings.HasPrefix(f, "d") {
			t.Errorf("file left after a failed fsync: %s", f)
		}
	}
}

// TestStoreGoneIsRetryable replaces the directory by a regular file, then
// removes it, as an outage of the store; writes resume once it is back.
func TestStoreGoneIsRetryable(t *testing.T) {
	o := newTestOutput(t, nil)
	b := batchOf(o, plugintest.Events(1, 3, "flow"))
	if err := os.Remove(o.dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(o.dir, []byte("not a directory"), 0o600)
	err := o.Write(context.Background(), b)
	if !errors.Is(err, syscall.ENOTDIR) || outputs.IsPermanent(err) {
		t.Fatalf("path is a file: %v, want a retryable ENOTDIR", err)
	}
	os.Remove(o.dir)
	err = o.Write(context.Background(), b)
	if !errors.Is(err, os.ErrNotExist) || outputs.IsPermanent(err) {
		t.Fatalf("path missing: %v, want a retryable ENOENT", err)
	}
	if _, err := os.Stat(o.dir); err == nil {
		t.Fatal("Write re-created the missing store directory")
	}
	os.Mkdir(o.dir, 0o700)
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatalf("after the store is back: %v", err)
	}
}

func TestWriteCanceled(t *testing.T) {
	o := newTestOutput(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := o.Write(ctx, batchOf(o, plugintest.Events(1, 1, "flow"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Write with a canceled context: %v", err)
	}
}

func TestWriteCompressedJSONArray(t *testing.T) {
	o := newTestOutput(t, func(c *Config) { c.Format, c.Compression = "json_array", "zstd" })
	if err := o.Write(context.Background(), batchOf(o, plugintest.Events(1, 3, "flow"))); err != nil {
		t.Fatal(err)
	}
	name := strings.TrimSuffix(wantName, ".ndjson") + ".json.zst"
	f, err := os.Open(filepath.Join(o.dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, _ := zstd.NewReader(f)
	defer zr.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	o.Codec.Compression = "none"
	if diff := cmp.Diff(string(encoded(o)), got.String()); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
}

func TestPartitionSanitisesFields(t *testing.T) {
	o := newTestOutput(t, func(c *Config) { c.Name = "{{ workflowDefinitionId }}/{{ batch_id }}" })
	tests := []struct{ flow, want string }{
		{"orders", "orders/s1-00000000000000000001.ndjson"},
		{"../../etc", ".__.__etc/s1-00000000000000000001.ndjson"},
		{"", "none/s1-00000000000000000001.ndjson"},
	}
	for _, tt := range tests {
		b := batchOf(o, plugintest.Events(1, 1, tt.flow))
		if got := objectstore.Key(o.Template, "", b, o.Codec); got != tt.want {
			t.Errorf("flow %q: key %q, want %q", tt.flow, got, tt.want)
		}
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(o.dir, tt.want)); err != nil {
			t.Error(err)
		}
	}
	if o.Partition(plugintest.Events(1, 1, "a")[0]) == o.Partition(plugintest.Events(1, 1, "b")[0]) {
		t.Error("different flows share a partition")
	}
}

func TestPutRefusesKeysOutsidePath(t *testing.T) {
	o := newTestOutput(t, nil)
	for _, key := range []string{"../escape.ndjson", "a/../../escape.ndjson", "."} {
		err := o.put(key, func(io.Writer) error { return nil })
		if err == nil || !outputs.IsPermanent(err) {
			t.Errorf("put(%q) = %v, want a permanent error", key, err)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(o.dir), "escape.ndjson")); err == nil {
		t.Error("a file was written outside path")
	}
}
