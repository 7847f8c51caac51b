package chain_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditship/auditship/agent/chain"
	"github.com/auditship/auditship/agent/chain/chaintest"
	"github.com/auditship/auditship/agent/index"
	"github.com/auditship/auditship/outputs"
	fileout "github.com/auditship/auditship/outputs/file"
)

// TestExportReadsLittle exports one workflow instance (50 events across
// two batches) of a 200-batch archive with index records: it opens those
// two batches once each and nothing else, and reads besides them under
// 1% of the archive's bytes (index records, a few manifests, a
// checkpoint).
func TestExportReadsLittle(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "archive")
	st := openFileStoreAt(t, dir)
	b := chaintest.New(st, chaintest.Options{Pipeline: "orders", Output: "archive", Stream: "s1", Start: start, Index: true})
	for range 200 {
		must(t, errOf(b.Add(ctx, 1000)))
	}
	must(t, errOf(b.Checkpoint(ctx)))
	c := &countingReader{Reader: st}
	q, err := index.NewQuery("workflowInstanceId == '"+chaintest.Instance(100_020)+"'", time.Time{}, time.Time{})
	must(t, err)
	w, err := chain.CreateBundle(filepath.Join(t.TempDir(), "bundle"), chain.BundleInfo{})
	must(t, err)
	stats, err := chain.Export(ctx, c, chain.ExportOptions{Pipeline: "orders", Output: "archive", Query: q}, w)
	must(t, err)
	info, err := w.Close(time.Now())
	must(t, err)
	size := treeSize(t, dir)
	if stats.Batches != 200 || stats.Selected != 2 || c.opens.Load() != 2 || info.Events != 50 {
		t.Errorf("%d of %d batches selected, %d opened, %d events; want 2 of 200, 2, 50",
			stats.Selected, stats.Batches, c.opens.Load(), info.Events)
	}
	var batches int64
	for _, bt := range b.Batches[99:101] {
		fi, err := os.Stat(filepath.Join(dir, bt.Key))
		must(t, err)
		batches += fi.Size()
	}
	if other := info.BytesRead - batches; other*100 >= size {
		t.Errorf("read %d bytes besides the two batches' %d, of the archive's %d: want under 1%%", other, batches, size)
	}
	t.Logf("read %d of %d bytes (%.2f%%), %d of them the two batches", info.BytesRead, size,
		100*float64(info.BytesRead)/float64(size), batches)
}

func openFileStoreAt(t *testing.T, dir string) store {
	t.Helper()
	f := fileout.NewFactory()
	c := f.NewConfig().(*fileout.Config)
	c.Path = dir
	out, err := f.Create(outputs.Settings{Pipeline: "orders", Name: "archive"}, c)
	must(t, err)
	return out.(store)
}

func treeSize(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	must(t, filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return err
	}))
	return n
}
