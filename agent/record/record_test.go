package record

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
