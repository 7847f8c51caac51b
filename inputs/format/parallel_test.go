package format

import (
	"bytes"
	"testing"

	"github.com/auditship/auditship/internal/event"
)

// TestParallelMatchesOneDecoder: a read decoded in parts gives, event by
// event and byte for byte, what one decoder gives in order, whatever the
// read's size; a large read is shared by every decoder, a small one is
// not split.
func TestParallelMatchesOneDecoder(t *testing.T) {
	var records [][]byte
	for len(records) < 1500 {
		records = append(records, lines(readFile(t, "json.log"))...)
		records = append(records, plainEntries(t, readOracle(t))...)
	}
	sid := []byte("source")
	for _, n := range []int{0, 1, 100, minSplit - 1, minSplit, 1000, 1500} {
		opts := Options{Format: "auto", Input: "in"}
		one, par := NewDecoder(opts), NewParallel(opts, 3)
		jobs := make([]Job, n)
		evs := make([]event.Event, n)
		for i := range jobs {
			jobs[i] = Job{Event: &evs[i], Raw: records[i], Source: event.Source{Path: "p", Offset: int64(i) * 1000}}
		}
		par.DecodeAll(jobs, sid, ingest)
		for i := range jobs {
			var want event.Event
			one.Decode(&want, records[i], jobs[i].Source, sid, Flags{}, ingest)
			if got, w := evs[i].AppendJSON(nil), want.AppendJSON(nil); !bytes.Equal(got, w) {
				t.Fatalf("%d records: event %d\n got %s\nwant %s", n, i, got, w)
			}
		}
		used := 0
		for _, d := range par.decs {
			if len(d.text.buf) > 0 {
				used++
			}
		}
		if want := min(3, max(n/(minSplit/2), 1)); n > 0 && used != want {
			t.Errorf("%d records decoded by %d decoders, want %d", n, used, want)
		}
	}
}
