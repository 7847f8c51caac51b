package file

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

// batchOf makes the batch a sender would hand to o.
func batchOf(o *Output, evs []*event.Event) *event.Batch {
	first := evs[0].Seq
	return &event.Batch{
		Pipeline: o.Pipeline, Output: o.Output, Stream: "s1",
		ID: fmt.Sprintf("s1-%020d", first), FirstSeq: first, LastSeq: evs[len(evs)-1].Seq,
		Time: evs[0].Time, Partition: o.Partition(evs[0]), Events: evs,
	}
}

// newTestOutput creates a file output under a fresh directory.
func newTestOutput(t *testing.T, edit func(*Config)) *Output {
	t.Helper()
	c := NewFactory().NewConfig().(*Config)
	c.Path = filepath.Join(t.TempDir(), "store")
	if edit != nil {
		edit(c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := NewFactory().Create(outputs.Settings{Pipeline: "orders", Name: "archive"}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(*Output)
}

// tree lists the files and directories under root with their modes.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, fmt.Sprintf("%v %s", fi.Mode(), filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}
