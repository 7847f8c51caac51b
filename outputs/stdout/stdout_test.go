package stdout

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
)

func jsonEvent(raw string, seq uint64) *event.Event {
	b := []byte(raw)
	t := time.Date(2024, 5, 13, 8, 0, 1, 0, time.UTC)
	return &event.Event{
		Raw: b, Body: b, Format: event.FormatJSON, Category: "timer",
		Fields: []event.Field{{Key: b[2:3], Value: b[5 : len(b)-1], Kind: event.KindJSON}},
		ID:     "id" + string(rune('0'+seq)), Seq: seq, Time: t, TimeText: "2024-05-13T08:00:01Z",
		Source: event.Source{Input: "in", Path: "-"},
	}
}

func plainEvent(raw string) *event.Event {
	return &event.Event{Raw: []byte(raw), Format: event.FormatPlain}
}

// recorder records each Write call separately.
type recorder struct {
	writes []string
	err    error
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func TestWrite(t *testing.T) {
	multi := "{timestamp=2024-05-13T08:00:01, description=line one\nline two, message=x}"
	tests := []struct {
		name   string
		format string
		events []*event.Event
		want   string
	}{
		{"json", FormatJSON, []*event.Event{jsonEvent(`{"a":1}`, 1), jsonEvent(`{"b":"x"}`, 2)},
			`{"_id":"id1","_seq":1,"_time":"2024-05-13T08:00:01Z","category":"timer","_source":{"input":"in","path":"-","offset":0},"a":1}` + "\n" +
				`{"_id":"id2","_seq":2,"_time":"2024-05-13T08:00:01Z","category":"timer","_source":{"input":"in","path":"-","offset":0},"b":"x"}` + "\n"},
		{"plain keeps raw bytes", FormatPlain, []*event.Event{jsonEvent(`{"a":1}`, 1), plainEvent(multi)},
			`{"a":1}` + "\n" + multi + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec recorder
			o := create(t, tt.format)
			o.w = &rec
			if err := o.Write(context.Background(), &event.Batch{Events: tt.events}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]string{tt.want}, rec.writes); diff != "" {
				t.Errorf("writes (-want +got):\n%s", diff)
			}
		})
	}
}

func create(t *testing.T, format string) *Output {
	t.Helper()
	c := NewFactory().NewConfig().(*Config)
	c.Format = format
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	out, err := NewFactory().Create(outputs.Settings{}, c)
	if err != nil {
		t.Fatal(err)
	}
	return out.(*Output)
}

func TestWriteReusesBuffer(t *testing.T) {
	o := create(t, FormatPlain)
	var out bytes.Buffer
	o.w = &out
	b := &event.Batch{Events: []*event.Event{plainEvent("one"), plainEvent("two")}}
	o.Write(context.Background(), b)
	if n := testing.AllocsPerRun(50, func() { o.Write(context.Background(), b) }); n > 0 {
		t.Errorf("Write: %v allocs per batch, want 0", n)
	}
}

func TestWriteErrorIsRetryable(t *testing.T) {
	o := create(t, FormatJSON)
	o.w = &recorder{err: errors.New("broken pipe")}
	err := o.Write(context.Background(), &event.Batch{Events: []*event.Event{jsonEvent(`{"a":1}`, 1)}})
	if err == nil || outputs.IsPermanent(err) || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("Write to a failing writer: %v, want a retryable error", err)
	}
}

func TestValidate(t *testing.T) {
	for format, ok := range map[string]bool{"json": true, "plain": true, "ndjson": false, "": false} {
		err := (&Config{Format: format}).Validate()
		if got := component.AttrErrors(err); (err == nil) != ok || (!ok && got[0].Attr != "format") {
			t.Errorf("format %q: %v", format, err)
		}
	}
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	want := outputs.BatchConfig{MaxEvents: 10000, MaxBytes: 1 << 20}
	if f.Type() != "stdout" || f.BatchDefaults() != want {
		t.Errorf("Type %q, BatchDefaults %+v", f.Type(), f.BatchDefaults())
	}
	if _, ok := any(&Output{}).(outputs.Partitioner); ok {
		t.Error("stdout partitions its batches")
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "output", "stdout", NewFactory().NewConfig())
}
