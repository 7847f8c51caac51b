package record

import (
	"bytes"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// within reports whether b lies in the memory of chunk.
func within(b, chunk []byte) bool {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	lo := uintptr(unsafe.Pointer(unsafe.SliceData(chunk)))
	return p >= lo && p+uintptr(len(b)) <= lo+uintptr(len(chunk))
}

func TestRecordsAliasTheirChunk(t *testing.T) {
	f := New(Config{Format: "auto"}, 0)
	c1 := []byte("{\"a\":1}\n" + ts1 + ",\nv}\n{\"b\"")
	c2 := []byte(":2}\n" + ts2 + "}\n")
	out := f.Write(c1, nil)
	out = f.Write(c2, out)
	out = f.End(out)
	if len(out) != 4 {
		t.Fatalf("got %d records, want 4", len(out))
	}
	for i, want := range []struct{ in, notIn []byte }{{c1, nil}, {c1, c2}, {nil, c1}, {c2, nil}} {
		r := out[i].Raw
		if want.in != nil && !within(r, want.in) {
			t.Errorf("record %d %q: not a sub-slice of its chunk", i, r)
		}
		if want.in == nil && (within(r, c1) || within(r, c2)) {
			t.Errorf("record %d %q spans chunks but aliases one", i, r)
		}
		if cap(r) != len(r) {
			t.Errorf("record %d: cap %d > len %d lets an append clobber the source", i, cap(r), len(r))
		}
	}
}

func TestLongLineMemoryBounded(t *testing.T) {
	const limit, chunk = mib, 64 << 10
	src := append(bytes.Repeat([]byte("x"), 2<<20), "\n{}\n"...)
	var chunks [][]byte
	for c := range slices.Chunk(src, chunk) {
		chunks = append(chunks, bytes.Clone(c))
	}
	f := New(Config{Format: "json", MaxLineBytes: limit}, 0)
	out := make([]Record, 0, 4)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := 0
	for _, c := range chunks {
		out = f.Write(c, out)
		peak = max(peak, f.win.size()+cap(f.trunc.head))
	}
	runtime.ReadMemStats(&after)
	if peak > limit+limit/2 {
		t.Errorf("framer retained %d bytes, want about %d", peak, limit)
	}
	// Buffering grows geometrically up to the limit; a copy per chunk
	// (quadratic) would allocate far more.
	if n := after.TotalAlloc - before.TotalAlloc; n > 8*limit {
		t.Errorf("framer allocated %d bytes for a %d-byte line", n, len(src))
	}
	if len(out) != 2 || !out[0].Truncated || len(out[0].Raw) != limit || out[0].OriginalLength != 2<<20 ||
		out[0].End != 2<<20+1 || string(out[1].Raw) != "{}" {
		t.Fatalf("got %d records: %+v", len(out), toRecs(out[:1]))
	}
}

func TestJSONWriteAllocs(t *testing.T) {
	chunks := jsonChunks(450, 256<<10, 8)
	f := New(Config{Format: "json"}, 0)
	out := make([]Record, 0, 1024)
	i := 0
	allocs := testing.AllocsPerRun(50, func() {
		out = f.Write(chunks[i%len(chunks)], out[:0])
		i++
	})
	// One copy per chunk: the line cut by the chunk boundary.
	if allocs > 1 {
		t.Errorf("%v allocations per 256 KiB chunk, want at most 1", allocs)
	}
}

// jsonChunks cuts a stream of JSON lines of about lineLen bytes into n
// chunks of size bytes.
func jsonChunks(lineLen, size, n int) [][]byte {
	line := `{"timestamp":"2024-05-13T08:00:01","message":"` + strings.Repeat("m", lineLen-48) + `"}` + "\n"
	src := bytes.Repeat([]byte(line), size*n/len(line)+1)
	var out [][]byte
	for c := range slices.Chunk(src[:size*n], size) {
		out = append(out, c)
	}
	return out
}
