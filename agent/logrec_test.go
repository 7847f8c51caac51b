package agent

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/buffer"
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
		rec := appendEventRecord(nil, e, keepRaw)
		var got event.Event
		if err := decodeRecord(7, rec, &got, nil); err != nil {
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
	if err := decodeRecord(1, []byte{9, 0}, &event.Event{}, nil); err == nil {
		t.Error("a record of another version decoded")
	}
}

func TestEncoderNumbersEventsAfterDrops(t *testing.T) {
	var c encoder
	c.reset(10)
	c.drop("processor f", []*event.Event{testEvent("d", 0)})
	evs := []*event.Event{testEvent("a", 0), testEvent("b", 0)}
	c.events(evs, false)
	if evs[0].Seq != 11 || evs[1].Seq != 12 {
		t.Fatalf("seqs %d %d, want 11 12 (the drop record is 10)", evs[0].Seq, evs[1].Seq)
	}
	want := []buffer.Kind{buffer.KindDrop, buffer.KindEvent, buffer.KindEvent}
	if diff := cmp.Diff(want, c.kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if n := c.dropAll("buffer full"); n != 2 {
		t.Fatalf("dropAll = %d, want 2", n)
	}
	if diff := cmp.Diff([]buffer.Kind{buffer.KindDrop, buffer.KindDrop}, c.kinds); diff != "" {
		t.Errorf("kinds after dropAll (-want +got):\n%s", diff)
	}
	var d dropRecord
	if err := json.Unmarshal(c.payloads[1], &d); err != nil || d.Count != 2 || d.Reason != "buffer full" {
		t.Errorf("drop record %+v, %v", d, err)
	}
	var first dropRecord
	if err := json.Unmarshal(c.payloads[0], &first); err != nil || first.Reason != "processor f" {
		t.Errorf("processor drop record lost: %+v, %v", first, err)
	}
}

func TestDecodeLeanMatchesFullDecode(t *testing.T) {
	for _, keepRaw := range []bool{false, true} {
		rec := appendEventRecord(nil, testEvent("x", 3), keepRaw)
		var full, lean event.Event
		if err := decodeRecord(3, rec, &full, strCache{}); err != nil {
			t.Fatal(err)
		}
		if err := decodeLean(3, rec, &lean); err != nil {
			t.Fatal(err)
		}
		want := []any{full.Seq, full.Time, string(full.Envelope), string(full.Raw)}
		got := []any{lean.Seq, lean.Time, string(lean.Envelope), string(lean.Raw)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("keepRaw %v (-full +lean):\n%s", keepRaw, diff)
		}
		if n := testing.AllocsPerRun(100, func() { decodeLean(3, rec, &lean) }); n != 0 {
			t.Errorf("decodeLean allocates %v times", n)
		}
	}
}
