package format

import (
	"fmt"
	"testing"

	"github.com/auditship/auditship/internal/event"
)

func benchDecode(b *testing.B, opts Options, records [][]byte, render bool) {
	d := NewDecoder(opts)
	e := new(event.Event)
	var buf []byte
	size := 0
	for _, r := range records {
		size += len(r)
	}
	b.SetBytes(int64(size / len(records)))
	b.ReportAllocs()
	sourceID := []byte("source")
	for i := 0; b.Loop(); i++ {
		d.Decode(e, records[i%len(records)], event.Source{Offset: int64(i)}, sourceID, Flags{}, ingest)
		if render {
			buf = e.AppendJSON(buf[:0])
		}
	}
}

func BenchmarkDecodeJSON(b *testing.B) {
	benchDecode(b, Options{Format: "json"}, lines(readFile(b, "json.log")), false)
}

func BenchmarkDecodePlain(b *testing.B) {
	benchDecode(b, Options{Format: "plain"}, plainEntries(b, readOracle(b)), false)
}

func BenchmarkDecodeAuto(b *testing.B) {
	benchDecode(b, Options{Format: "auto"}, lines(readFile(b, "json.log")), false)
}

// BenchmarkDecodeRenderJSON is the hot path of a json input to a json output.
func BenchmarkDecodeRenderJSON(b *testing.B) {
	benchDecode(b, Options{Format: "json"}, lines(readFile(b, "json.log")), true)
}

func BenchmarkDecodeRenderPlain(b *testing.B) {
	benchDecode(b, Options{Format: "plain"}, plainEntries(b, readOracle(b)), true)
}

func BenchmarkAppendJSON(b *testing.B) {
	records := lines(readFile(b, "json.log"))
	d := NewDecoder(Options{Format: "json"})
	events := make([]event.Event, len(records))
	size := 0
	for i, r := range records {
		d.Decode(&events[i], r, event.Source{}, nil, Flags{}, ingest)
		size += len(r)
	}
	b.SetBytes(int64(size / len(records)))
	b.ReportAllocs()
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = events[i%len(events)].AppendJSON(buf[:0])
	}
}

// benchBatch decodes records into fresh events, batch by batch, as the
// inputs do: per-event allocations show here, not in benchDecode.
func benchBatch(b *testing.B, opts Options, records [][]byte) {
	d := NewDecoder(opts)
	size := 0
	for _, r := range records {
		size += len(r)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	sourceID := []byte("source")
	for b.Loop() {
		evs := make([]event.Event, len(records))
		for i, r := range records {
			d.Decode(&evs[i], r, event.Source{Offset: int64(i)}, sourceID, Flags{}, ingest)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(records)), "ns/event")
}

func BenchmarkDecodeBatchJSON(b *testing.B) {
	benchBatch(b, Options{Format: "json"}, lines(readFile(b, "json.log")))
}

func BenchmarkDecodeBatchPlain(b *testing.B) {
	benchBatch(b, Options{Format: "plain"}, plainEntries(b, readOracle(b)))
}

// BenchmarkDecodePlainUnordered decodes entries whose keys follow no
// order the engine writes (the fallback split), as a plain file written
// by another tool in JSON key order would be.
func BenchmarkDecodePlainUnordered(b *testing.B) {
	var records [][]byte
	for i := range 64 {
		records = append(records, fmt.Appendf(nil, "{timestamp=2026-11-25T10:00:00.%03dZ, nodeName=Approve, "+
			"workflowDefinitionId=onboarding, workflowInstanceId=6087e12c-92a5-472e-9e5b-3a16ee2ac%03d, "+
			"user=frank, durationMs=3992, variables={amount=99.%02d, status=PENDING}}", i, i, i))
	}
	benchDecode(b, Options{Format: "plain"}, records, false)
}
