package file

import (
	"context"
	"os"
	"testing"
)

// TestProbe takes the directory away the way an outage test does (a
// regular file in its place), then removes it, then brings it back: the
// probe fails while it is gone, changes nothing, and passes once it is back.
func TestProbe(t *testing.T) {
	o := newTestOutput(t, nil)
	ctx := context.Background()
	if err := o.Probe(ctx); err != nil {
		t.Fatalf("probe of a present directory: %v", err)
	}
	if err := os.Rename(o.dir, o.dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(o.dir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := o.Probe(ctx); err == nil {
		t.Error("probe passed with a regular file in place of the directory")
	}
	if fi, err := os.Stat(o.dir); err != nil || fi.Size() != 0 {
		t.Errorf("probe changed the file in the directory's place: %v, %v", fi, err)
	}
	if err := os.Remove(o.dir); err != nil {
		t.Fatal(err)
	}
	if err := o.Probe(ctx); err == nil {
		t.Error("probe passed with the directory missing")
	}
	if _, err := os.Stat(o.dir); !os.IsNotExist(err) {
		t.Errorf("probe created the missing directory (stat: %v); it must not write", err)
	}
	if err := os.Rename(o.dir+".away", o.dir); err != nil {
		t.Fatal(err)
	}
	if err := o.Probe(ctx); err != nil {
		t.Errorf("probe after the directory came back: %v", err)
	}
}
