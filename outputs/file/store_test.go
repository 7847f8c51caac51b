package file

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/google/go-cmp/cmp"
)

func TestListAndOpenReadBack(t *testing.T) {
	o := newTestOutput(t, nil)
	b := batchOf(o, plugintest.Events(1, 3, "flow"))
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(o.dir, tmpPrefix+"x"), []byte("partial"), 0o600) // never listed
	var keys []string
	for ref, err := range o.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
		rc, err := o.Open(context.Background(), ref)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if want := encoded(o); string(got) != string(want) {
			t.Errorf("read back %q, want %q", got, want)
		}
	}
	if diff := cmp.Diff([]string{wantName}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
}
