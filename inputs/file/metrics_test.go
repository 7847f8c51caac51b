package file

import (
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/auditship/auditship/inputs"
)

// TestMetricsReadBytesOpenFilesAndLag: bytes read, open files and the lag
// between the files' sizes and their acknowledged checkpoints.
func TestMetricsReadBytesOpenFilesAndLag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reg := prometheus.NewPedanticRegistry()
	a, b := lines("a", 0, 5), lines("b", 0, 3)
	e.write("a.log", a)
	e.write("b.log", b)
	in := e.start(true, func(_ *Config, s *inputs.Settings) { s.Registerer = reg })
	g := expect(t, in, append(raws(a), raws(b)...))
	if got, want := testutil.ToFloat64(in.m.readBytes), float64(len(a)+len(b)); got != want {
		t.Errorf("auditship_input_file_read_bytes_total = %v, want %v", got, want)
	}
	if got := testutil.ToFloat64(in.m.open); got != 2 {
		t.Errorf("auditship_input_file_open_files = %v, want 2", got)
	}
	if got, want := testutil.ToFloat64(in.m.lag), float64(len(a)+len(b)); got != want {
		t.Errorf("lag before the acks = %v, want %v", got, want)
	}
	g.ackAll()
	if got := testutil.ToFloat64(in.m.lag); got != 0 {
		t.Errorf("lag after the acks = %v, want 0", got)
	}
	more := lines("a", 5, 7)
	e.write("a.log", more)
	time.Sleep(3 * in.interval)
	g = expect(t, in, raws(more))
	if got := testutil.ToFloat64(in.m.lag); got != float64(len(more)) {
		t.Errorf("lag of the unacked growth = %v, want %d", got, len(more))
	}
	g.ackAll()
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

// TestMetricsUnreadableFiles: a matching file that cannot be opened is
// counted while it exists, and no longer once it is gone.
func TestMetricsUnreadableFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := os.Symlink(e.path("loop.log"), e.path("loop.log")); err != nil {
		t.Fatal(err)
	}
	in := e.start(true, nil)
	expect(t, in, nil)
	if got := testutil.ToFloat64(in.m.unreadable); got != 1 {
		t.Fatalf("auditship_input_file_unreadable_files = %v, want 1", got)
	}
	if err := os.Remove(e.path("loop.log")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * in.interval)
	expect(t, in, nil)
	if got := testutil.ToFloat64(in.m.unreadable); got != 0 {
		t.Fatalf("auditship_input_file_unreadable_files = %v after the file went, want 0", got)
	}
}
