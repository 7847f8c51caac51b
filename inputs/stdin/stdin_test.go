package stdin

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
	"github.com/auditship/auditship/internal/event"
)

func settings(framing string, flush time.Duration) inputs.Settings {
	return inputs.Settings{
		Name: "in", Decoder: format.NewParallel(format.Options{Format: "auto", Input: "in"}, 2),
		Framing: record.Config{Format: framing}, FlushTimeout: flush,
	}
}

func start(t *testing.T, r io.Reader, s inputs.Settings) *input {
	t.Helper()
	in, err := newInput(r, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(context.Background()) })
	return in
}

// readAll reads until EOF and returns every event and ack.
func readAll(t *testing.T, in *input) ([]*event.Event, []event.AckFunc) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var evs []*event.Event
	var acks []event.AckFunc
	for {
		got, ack, err := in.Read(ctx)
		evs = append(evs, got...)
		if ack != nil {
			acks = append(acks, ack)
		}
		if errors.Is(err, io.EOF) {
			return evs, acks
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

type line struct {
	Raw     string
	Path    string
	Offset  int64
	Partial bool
}

func summary(evs []*event.Event) []line {
	var out []line
	for _, e := range evs {
		l := line{Raw: string(e.Raw), Path: e.Source.Path, Offset: e.Source.Offset}
		for _, m := range e.Meta {
			l.Partial = l.Partial || string(m.Key) == "_partial"
		}
		out = append(out, l)
	}
	return out
}

func TestEOFWithPartialLine(t *testing.T) {
	in := start(t, strings.NewReader("{\"a\":1}\n{\"b\":2}\n{\"c\":"), settings("json", 0))
	evs, _ := readAll(t, in)
	want := []line{{`{"a":1}`, "-", 0, false}, {`{"b":2}`, "-", 8, false}, {`{"c":`, "-", 16, true}}
	if diff := cmp.Diff(want, summary(evs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if _, _, err := in.Read(context.Background()); !errors.Is(err, io.EOF) {
		t.Fatalf("Read after EOF: %v, want io.EOF", err)
	}
}

func TestGoldenID(t *testing.T) {
	first := `{"timestamp":"2024-05-13T08:00:01","jobId":"c2868173-d237-37cf-a04f-f4ca8e37cafa","expiresAt":"2024-05-14T06:00:01+02:00","timerExpression":"R/PT24H","workflowDefinitionId":"retire","message":"Scheduled repeatable timer job that creates new workflow instances","transactionId":"1818e811-892f-402b-923f-0824128b2f33"}`
	in := start(t, strings.NewReader(first+"\n"), settings("auto", 0))
	evs, _ := readAll(t, in)
	if len(evs) != 1 || evs[0].ID != "9a3a14a915c9f9e52e2b01c903001488" {
		t.Fatalf("got %d events, first _id %q; want the golden _id of FORMATS.md", len(evs), evs[0].ID)
	}
}

func TestMultilineFlushWhileIdle(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	in := start(t, pr, settings("plain", 100*time.Millisecond))
	rec := "{timestamp=2024-05-13T08:00:01, message=a\nsecond line}"
	go pw.Write([]byte(rec + "\n"))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	var evs []*event.Event
	for len(evs) == 0 {
		got, _, err := in.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		evs = got
	}
	if diff := cmp.Diff(rec, string(evs[0].Raw)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

func TestReadHonoursContext(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	in := start(t, pr, settings("json", 0))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, _, err := in.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Read: %v, want the context's error", err)
	}
}

func TestAcksCounted(t *testing.T) {
	in := start(t, strings.NewReader("{\"a\":1}\n{\"b\":2}\n"), settings("json", 0))
	_, acks := readAll(t, in)
	for _, a := range acks {
		a(nil)
	}
	var m dto.Metric
	if err := in.m.acked.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetCounter().GetValue(); got != 2 {
		t.Fatalf("acked = %v, want 2", got)
	}
}

func TestCloseIdempotent(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	in := start(t, pr, settings("json", 0))
	for range 2 {
		if err := in.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := in.Read(context.Background()); err == nil {
		t.Fatal("Read after Close succeeded")
	}
}
