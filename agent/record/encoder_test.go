package record

import (
	"encoding/json"
	"testing"

	"github.com/auditship/auditship/agent/buffer"
	"github.com/auditship/auditship/internal/event"
	"github.com/google/go-cmp/cmp"
)

func TestEncoderNumbersEventsAfterDrops(t *testing.T) {
	var c Encoder
	c.Reset(10)
	c.Drop("processor f", []*event.Event{testEvent("d", 0)})
	evs := []*event.Event{testEvent("a", 0), testEvent("b", 0)}
	c.Events(evs, false)
	if evs[0].Seq != 11 || evs[1].Seq != 12 {
		t.Fatalf("seqs %d %d, want 11 12 (the drop record is 10)", evs[0].Seq, evs[1].Seq)
	}
	want := []buffer.Kind{buffer.KindDrop, buffer.KindEvent, buffer.KindEvent}
	if diff := cmp.Diff(want, c.Kinds); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	if n := c.DropAll("buffer full"); n != 2 {
		t.Fatalf("dropAll = %d, want 2", n)
	}
	if diff := cmp.Diff([]buffer.Kind{buffer.KindDrop, buffer.KindDrop}, c.Kinds); diff != "" {
		t.Errorf("kinds after dropAll (-want +got):\n%s", diff)
	}
	var d Drop
	if err := json.Unmarshal(c.Payloads[1], &d); err != nil || d.Count != 2 || d.Reason != "buffer full" {
		t.Errorf("drop record %+v, %v", d, err)
	}
	var first Drop
	if err := json.Unmarshal(c.Payloads[0], &first); err != nil || first.Reason != "processor f" {
		t.Errorf("processor drop record lost: %+v, %v", first, err)
	}
}
