package record

import "testing"

// BenchmarkFramerJSON frames JSON lines of about 450 bytes read in 256 KiB
// chunks, the json input's hot path.
func BenchmarkFramerJSON(b *testing.B) {
	chunks := jsonChunks(450, 256<<10, 16)
	f := New(Config{Format: "json"}, 0)
	out := make([]Record, 0, 1024)
	b.SetBytes(256 << 10)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out = f.Write(chunks[i%len(chunks)], out[:0])
	}
}

// BenchmarkFramerPlain frames the Automatiko plain sample in 256 KiB chunks.
func BenchmarkFramerPlain(b *testing.B) {
	src := readFile(b, "plain.log")
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	out := make([]Record, 0, 1024)
	for b.Loop() {
		f := New(Config{Format: "plain"}, 0)
		for off := 0; off < len(src); off += 256 << 10 {
			out = f.Write(src[off:min(off+256<<10, len(src))], out[:0])
		}
		out = f.End(out[:0])
	}
}
