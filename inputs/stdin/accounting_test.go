package stdin

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/auditship/auditship/internal/event"
)

// counter is the value of the counter called name in reg, 0 if absent.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	return 0
}

// readLine writes s to the pipe and reads it back as one Read.
func readLine(t *testing.T, in *input, pw *io.PipeWriter, s string) event.AckFunc {
	t.Helper()
	go pw.Write([]byte(s))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	evs, ack, err := in.Read(ctx)
	if err != nil || len(evs) != 1 {
		t.Fatalf("Read: %d events, %v; want 1", len(evs), err)
	}
	return ack
}

// TestCloseReportsWhatWasNotBuffered: of four reads, one is acked, one
// fails, one is never acked and one is an open partial line at Close.
// The counters and the one warning at Close tell every byte's fate.
func TestCloseReportsWhatWasNotBuffered(t *testing.T) {
	reg := prometheus.NewRegistry()
	core, logs := observer.New(zap.WarnLevel)
	s := settings("json", 0)
	s.Registerer, s.Logger = reg, zap.New(core)
	pr, pw := io.Pipe()
	defer pw.Close()
	in := start(t, pr, s)
	acks := []event.AckFunc{readLine(t, in, pw, "{\"a\":1}\n"), readLine(t, in, pw, "{\"b\":2}\n"),
		readLine(t, in, pw, "{\"c\":3}\n")}
	pw.Write([]byte(`{"d":`))
	for deadline := time.Now().Add(2 * time.Second); counter(t, reg, "auditship_input_stdin_read_bytes_total") < 29; {
		if time.Now().After(deadline) {
			t.Fatal("the pump did not take the partial line")
		}
		time.Sleep(time.Millisecond)
	}
	acks[0](nil)
	acks[1](errors.New("not appended: shutting down"))
	in.Close(context.Background())
	want := map[string]float64{
		"auditship_input_stdin_acked_events_total":     1,
		"auditship_input_stdin_failed_events_total":    2,
		"auditship_input_stdin_read_bytes_total":       29,
		"auditship_input_stdin_acked_bytes_total":      8,
		"auditship_input_stdin_unbuffered_bytes_total": 21,
	}
	for name, v := range want {
		if got := counter(t, reg, name); got != v {
			t.Errorf("%s = %v, want %v", name, got, v)
		}
	}
	checkWarning(t, logs, map[string]any{"events": int64(2), "bytes": int64(21)})
}

// checkWarning wants exactly one warning, with the fields want.
func checkWarning(t *testing.T, logs *observer.ObservedLogs, want map[string]any) {
	t.Helper()
	all := logs.TakeAll()
	if len(all) != 1 {
		t.Fatalf("%d warnings, want 1: %v", len(all), all)
	}
	f := all[0].ContextMap()
	for k, v := range want {
		if f[k] != v {
			t.Errorf("warning %q: %s = %v, want %v", all[0].Message, k, f[k], v)
		}
	}
}

// TestBytesReadAfterCloseAreCounted: a read blocked on the pipe at Close
// returns later with bytes nobody will frame; they are counted and
// reported.
func TestBytesReadAfterCloseAreCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	core, logs := observer.New(zap.WarnLevel)
	s := settings("json", 0)
	s.Registerer, s.Logger = reg, zap.New(core)
	pr, pw := io.Pipe()
	defer pw.Close()
	in := start(t, pr, s)
	in.Close(context.Background())
	if n, _ := pw.Write([]byte("{\"late\":1}\n")); n != 11 {
		t.Fatalf("wrote %d bytes, want 11", n)
	}
	in.wg.Wait()
	if got := counter(t, reg, "auditship_input_stdin_unbuffered_bytes_total"); got != 11 {
		t.Errorf("unbuffered bytes = %v, want 11", got)
	}
	checkWarning(t, logs, map[string]any{"bytes": int64(11)})
}
