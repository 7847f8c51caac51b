package record

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

func testEvent(raw string, seq uint64) *event.Event {
	return &event.Event{Raw: []byte(raw), Body: []byte(raw), Format: event.FormatJSON, ID: "id" + raw,
		Seq: seq, Time: time.Unix(1700000000, 5).UTC(), TimeText: "2023-11-14T22:13:20Z", Category: "workflow",
		Source: event.Source{Input: "in", Key: "k", Path: "/p", Offset: 10, End: 20},
		Fields: []event.Field{{Key: []byte("a"), Value: []byte(raw), Kind: event.KindString}}}
}

func TestEventRecordRoundTrip(t *testing.T) {
	for _, keepRaw := range []bool{false, true} {
		e := testEvent("x", 7)
		rec := AppendEvent(nil, e, keepRaw)
		var got event.Event
		if err := Decode(7, rec, &got, nil); err != nil {
			t.Fatal(err)
		}
		if string(got.Envelope) != string(e.AppendJSON(nil)) {
			t.Errorf("envelope %s, want %s", got.Envelope, e.AppendJSON(nil))
		}
		if !json.Valid(got.Envelope) {
			t.Errorf("envelope is not JSON: %s", got.Envelope)
		}
		want := []any{e.ID, e.TimeText, e.Category, e.Source, e.Time, e.Seq}
		have := []any{got.ID, got.TimeText, got.Category, got.Source, got.Time, got.Seq}
		if diff := cmp.Diff(want, have); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if (got.Raw != nil) != keepRaw {
			t.Errorf("keepRaw %v: raw %q", keepRaw, got.Raw)
		}
	}
	if err := Decode(1, []byte{9, 0}, &event.Event{}, nil); err == nil {
		t.Error("a record of another version decoded")
	}
}

func TestDecodeLeanMatchesFullDecode(t *testing.T) {
	for _, keepRaw := range []bool{false, true} {
		rec := AppendEvent(nil, testEvent("x", 3), keepRaw)
		var full, lean event.Event
		if err := Decode(3, rec, &full, StrCache{}); err != nil {
			t.Fatal(err)
		}
		if err := DecodeLean(3, rec, &lean, nil); err != nil {
			t.Fatal(err)
		}
		want := []any{full.Seq, full.Time, string(full.Envelope), string(full.Raw)}
		got := []any{lean.Seq, lean.Time, string(lean.Envelope), string(lean.Raw)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("keepRaw %v (-full +lean):\n%s", keepRaw, diff)
		}
		if n := testing.AllocsPerRun(100, func() { DecodeLean(3, rec, &lean, &Header{}) }); n != 0 {
			t.Errorf("DecodeLean allocates %v times", n)
		}
	}
}

func TestPeekHeaderMatchesDecode(t *testing.T) {
	e := testEvent("x", 3)
	rec := AppendEvent(nil, e, true)
	h, err := PeekHeader(rec)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{string(h.ID), string(h.Input), string(h.Key), h.Offset, h.End}
	want := []any{e.ID, e.Source.Input, e.Source.Key, e.Source.Offset, e.Source.End}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var lean event.Event
	var lh Header
	if err := DecodeLean(3, rec, &lean, &lh); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h, lh); diff != "" {
		t.Errorf("DecodeLean's header (-peek +lean):\n%s", diff)
	}
	if _, err := PeekHeader(rec[:5]); err == nil {
		t.Error("a cut record peeked")
	}
	if n := testing.AllocsPerRun(100, func() { PeekHeader(rec) }); n != 0 {
		t.Errorf("%v allocations per peek", n)
	}
}

// TestEventRecordCapture: a version 3 record carries where the capture's
// values lie in its envelope, which is byte for byte the version 1
// envelope; an event whose values lie past 64 KiB writes a version 1
// record.
func TestEventRecordCapture(t *testing.T) {
	c := event.NewCapture([]string{"b", "a"})
	for _, keepRaw := range []bool{false, true} {
		e := testEvent("xyz", 9)
		rec := AppendEventCapture([]byte("prev"), e, keepRaw, c)[len("prev"):]
		if rec[0] != recVersionCapture {
			t.Fatalf("version %d, want %d", rec[0], recVersionCapture)
		}
		var got event.Event
		var h Header
		if err := DecodeLean(9, rec, &got, &h); err != nil {
			t.Fatal(err)
		}
		if want := e.AppendJSON(nil); string(got.Envelope) != string(want) {
			t.Errorf("envelope %s, want %s", got.Envelope, want)
		}
		if h.CaptureTag != c.Tag {
			t.Errorf("tag %x, want %x", h.CaptureTag, c.Tag)
		}
		var vals []string
		event.EachCaptured(h.Captured, func(field, off, n int) {
			vals = append(vals, fmt.Sprint(field, "=", string(got.Envelope[off:off+n])))
		})
		if diff := cmp.Diff([]string{`1="xyz"`}, vals); diff != "" {
			t.Errorf("captured (-want +got):\n%s", diff)
		}
		if (got.Raw != nil) != keepRaw || string(h.ID) != e.ID {
			t.Errorf("keepRaw %v: raw %q, id %q", keepRaw, got.Raw, h.ID)
		}
	}
	var h Header
	other := event.NewCapture([]string{"zz"})
	rec := AppendEventCapture(nil, testEvent("x", 1), false, other)
	if err := DecodeLean(1, rec, &event.Event{}, &h); err != nil || rec[0] != recVersionCapture || len(h.Captured) != 0 {
		t.Errorf("none of the fields: want version 3 without positions, got version %d, %v (%v)", rec[0], h.Captured, err)
	}
	big := testEvent(strings.Repeat("y", 70000), 1)
	rec = AppendEventCapture(nil, big, false, c)
	if rec[0] != recVersion || string(rec) != string(AppendEvent(nil, big, false)) {
		t.Errorf("a value past 64 KiB: want the version 1 record, got version %d", rec[0])
	}
}

func benchEvent() *event.Event {
	body := []byte(`{"timestamp":"2024-05-13T08:00:00.454054","identity":"hr.admin@example.com","workflowDefinitionId":"hire","workflowInstanceId":"b20c96ab-52fc-48ae-8e08-37c3f5f2b026","workflowDefinitionName":"Hire","businessKey":"order-7","transactionId":"9431f3be-16ff-4328-a61b-5371c27f2844","message":"Workflow instance variable changed"}`)
	fields, _ := entry.ScanObject(body, nil)
	e := testEvent("x", 1)
	e.Raw, e.Body, e.Fields, e.OwnCategory = body, body, fields, false
	return e
}

// BenchmarkAppendEvent and BenchmarkAppendEventCapture: what noting the
// index fields' positions adds to encoding a record.
func BenchmarkAppendEvent(b *testing.B) {
	e, buf := benchEvent(), []byte(nil)
	for b.Loop() {
		buf = AppendEvent(buf[:0], e, false)
	}
}

func BenchmarkAppendEventCapture(b *testing.B) {
	e, buf, c := benchEvent(), []byte(nil), event.NewCapture([]string{"workflowInstanceId", "businessKey", "workflowDefinitionId", "identity", "transactionId"})
	for b.Loop() {
		buf = AppendEventCapture(buf[:0], e, false, c)
	}
}

// appendV2 writes e as the version 2 record of an earlier build: tag and
// positions between the head and the envelope.
func appendV2(e *event.Event, c *event.Capture) []byte {
	rec := appendHead(nil, recVersionCaptureV2, e, false)
	env := e.AppendJSONCapture(nil, c)
	pos, _ := c.Positions()
	rec = binary.AppendUvarint(rec, c.Tag)
	rec = binary.AppendUvarint(rec, uint64(len(pos)))
	return append(append(rec, pos...), env...)
}

// TestEventRecordV2StillRead: records a buffer kept from the earlier
// build decode to the same envelope, tag and positions as version 3.
func TestEventRecordV2StillRead(t *testing.T) {
	c := event.NewCapture([]string{"b", "a"})
	e := testEvent("xyz", 9)
	var h2, h3 Header
	var e2, e3 event.Event
	if err := DecodeLean(9, appendV2(e, c), &e2, &h2); err != nil {
		t.Fatal(err)
	}
	if err := DecodeLean(9, AppendEventCapture(nil, e, false, c), &e3, &h3); err != nil {
		t.Fatal(err)
	}
	if string(e2.Envelope) != string(e3.Envelope) || h2.CaptureTag != h3.CaptureTag || string(h2.Captured) != string(h3.Captured) || len(h3.Captured) == 0 {
		t.Errorf("version 2: envelope %s tag %x positions %v; version 3: %s %x %v", e2.Envelope, h2.CaptureTag, h2.Captured, e3.Envelope, h3.CaptureTag, h3.Captured)
	}
}

// TestEventRecordBadTrailer: a version 3 record without room for its
// trailer, or counting more positions than it holds, is malformed, not a
// panic. (A cut record never gets here: the buffer's frames are checked
// by length and CRC before a record is decoded.)
func TestEventRecordBadTrailer(t *testing.T) {
	c := event.NewCapture([]string{"a"})
	rec := AppendEventCapture(nil, testEvent("xyz", 1), false, c)
	count := len(rec) - trailerSize
	for name, bad := range map[string][]byte{
		"no trailer":      append(appendHead(nil, recVersionCapture, testEvent("", 1), false), 1, 2, 3),
		"count too large": append(append([]byte{}, rec[:count]...), append([]byte{255}, rec[count+1:]...)...),
		"no envelope":     append(appendHead(nil, recVersionCapture, testEvent("", 1), false), 0, 1, 2, 3, 4, 5, 6, 7, 8),
	} {
		if _, err := PeekHeader(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// FuzzParseHead: no record, however damaged, panics the decoder, and a
// record it accepts has its parts within the record.
func FuzzParseHead(f *testing.F) {
	c := event.NewCapture([]string{"a", "b"})
	f.Add(AppendEvent(nil, testEvent("x", 1), true))
	f.Add(AppendEventCapture(nil, testEvent("xyz", 1), false, c))
	f.Add(appendV2(testEvent("xyz", 1), c))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := parseHead(data)
		if err != nil {
			return
		}
		if len(h.envelope) == 0 || len(h.captured)%event.PositionSize != 0 && data[0] == recVersionCapture {
			t.Errorf("accepted envelope %q positions %v", h.envelope, h.captured)
		}
	})
}
