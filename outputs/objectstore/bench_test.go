package objectstore

import (
	"io"
	"runtime"
	"testing"
)

// BenchmarkEncode encodes 100k events per op; MB/s counts uncompressed bytes.
func BenchmarkEncode(b *testing.B) {
	const n = 100_000
	evs := sampleEvents(n)
	var size int64
	for _, ev := range evs {
		size += int64(len(ev.AppendJSON(nil)) + 1)
	}
	for _, comp := range []string{CompressionNone, CompressionGzip, CompressionZstd} {
		b.Run(comp, func(b *testing.B) {
			enc, err := NewEncoder(io.Discard, Codec{FormatNDJSON, comp}, 0)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				enc.Reset(io.Discard)
				for _, ev := range evs {
					enc.Encode(ev)
				}
				enc.Close()
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*n), "allocs/event")
		})
	}
}
