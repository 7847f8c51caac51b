package buffer

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
)

// writeBatches appends n one-event batches, each with mark "k" = [i], and
// returns the segment size after each batch (ends[0] is after the first).
func writeBatches(t *testing.T, dir string, n int, o Options) []int64 {
	t.Helper()
	o.Dir = dir
	l := openLog(t, o)
	var ends []int64
	for i := 1; i <= n; i++ {
		l.SetMark("k", []byte{byte(i)})
		appendN(t, l, 1, 50)
		ends = append(ends, l.activeSize)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return ends
}

// TestTornTailEveryOffset cuts the last write of a log at every byte: Open
// keeps all of it, with its marks, or none of it. A write cut short was
// never acknowledged, so its input reads it again; keeping part of it would
// append those records twice, the second time under new sequence numbers.
func TestTornTailEveryOffset(t *testing.T) {
	tests := []struct {
		name     string
		records  int   // in the last write
		segSize  int64 // small enough that the last write starts a segment
		setMarks bool
	}{
		{"one record", 1, 0, true},
		{"five records", 5, 0, true},
		{"no marks", 5, 0, false},
		{"starts a segment", 5, 1024, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Options{SegmentSize: tt.segSize}
			w := writeLastBatch(t, t.TempDir(), o, tt.records, tt.setMarks)
			for cut := w.start; cut <= w.end; cut++ {
				checkCut(t, w, o, cut)
			}
		})
	}
}

// lastWrite is a log whose last write, of seqs first..last, spans
// [start, end) of the newest segment, the file data.
type lastWrite struct {
	dir, name   string
	data        []byte
	start, end  int64
	first, last uint64
	marks       []byte // mark "k" before the write
	after       []byte // and after it
}

// writeLastBatch writes ten one-record batches with mark "k", then one of
// n records of various sizes, with a new mark if setMarks.
func writeLastBatch(t *testing.T, dir string, o Options, n int, setMarks bool) lastWrite {
	t.Helper()
	ends := writeBatches(t, dir, 10, o)
	o.Dir = dir
	l := openLog(t, o)
	w := lastWrite{dir: dir, start: ends[9], first: l.NextSeq(), marks: []byte{10}, after: []byte{10}}
	if setMarks {
		w.after = []byte("after")
		l.SetMark("k", w.after)
	}
	kinds, payloads := batch(w.first, n, 50)
	for i := range payloads {
		payloads[i] = payload(w.first+uint64(i), 50+i*37)
	}
	appendWait(t, l, kinds, payloads)
	if l.segs[len(l.segs)-1].first == w.first {
		w.start = 0
	}
	w.end, w.last = l.activeSize, l.NextSeq()-1
	w.name = segName(l.segs[len(l.segs)-1].first)
	l.Close()
	w.data = readFile(t, filepath.Join(dir, w.name))
	return w
}

// checkCut reopens a copy of the log cut at cut and checks that it holds
// all of the last write or none of it.
func checkCut(t *testing.T, w lastWrite, o Options, cut int64) {
	t.Helper()
	o.Dir, o.Fsync = copyLog(t, w, cut), FsyncNever // recovery is the same in every mode
	l, err := Open(o)
	if err != nil {
		t.Fatalf("cut %d: Open: %v", cut, err)
	}
	defer l.Close()
	last, size, marks := w.first-1, w.start, w.marks
	if cut == w.end {
		last, size, marks = w.last, w.end, w.after
	}
	if got := l.NextSeq(); got != last+1 {
		t.Fatalf("cut %d: NextSeq %d, want %d (the write is %d..%d)", cut, got, last+1, w.first, w.last)
	}
	if got := fileSize(t, filepath.Join(o.Dir, w.name)); got != size {
		t.Fatalf("cut %d: size %d after Open, want %d", cut, got, size)
	}
	if diff := cmp.Diff(map[string][]byte{"k": marks}, l.Marks()); diff != "" {
		t.Fatalf("cut %d: marks (-want +got):\n%s", cut, diff)
	}
	checkReadable(t, l, last, cut)
}

// checkReadable reads seqs 1..last, then appends one record after them.
func checkReadable(t *testing.T, l *Log, last uint64, cut int64) {
	t.Helper()
	recs, lost := readAll(t, l, 1)
	if len(recs) != int(last) || lost != nil || l.Lost() != nil {
		t.Fatalf("cut %d: read %d records, want %d; lost %v %v", cut, len(recs), last, lost, l.Lost())
	}
	if _, err := os.Stat(filepath.Join(l.o.Dir, "corrupt")); err == nil {
		t.Fatalf("cut %d: a torn tail was copied aside", cut)
	}
	appendN(t, l, 1, 50)
	if recs, _ = readAll(t, l, last+1); len(recs) != 1 || recs[0].Seq != last+1 {
		t.Fatalf("cut %d: the log does not go on at %d: %v", cut, last+1, recs)
	}
}

// copyLog copies the log of w into a new directory, the newest segment
// cut at cut.
func copyLog(t *testing.T, w lastWrite, cut int64) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range segPaths(t, w.dir) {
		b := readFile(t, p)
		if filepath.Base(p) == w.name {
			b = w.data[:cut]
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestCorruptMiddleFrame(t *testing.T) {
	tests := []struct {
		name  string
		delta int64 // offset in the frame of seq 5
	}{
		{"magic", 0},
		{"header crc", 5},
		{"length", 9},
		{"seq", 13},
		{"kind", 20},
		{"payload", headerSize + 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeBatches(t, dir, 10, Options{})
			path := filepath.Join(dir, segName(1))
			flip(t, path, recordAt(t, path, 5)+tt.delta)
			l := openLog(t, Options{Dir: dir})
			want := []Lost{{From: 5, To: 5, Segment: segName(1), Reason: "corrupt frame"}}
			if diff := cmp.Diff(want, l.Lost()); diff != "" {
				t.Fatalf("Lost (-want +got):\n%s", diff)
			}
			checkCopied(t, dir, segName(1))
			recs, lost := readAll(t, l, 1)
			checkSeqs(t, recs, append(seqRange(1, 4), seqRange(6, 10)...), 50)
			if diff := cmp.Diff(want, lost); diff != "" {
				t.Fatalf("reader lost (-want +got):\n%s", diff)
			}
			if l.NextSeq() != 11 {
				t.Fatalf("NextSeq %d", l.NextSeq())
			}
		})
	}
}

// TestCorruptOlderSegment checks that damage in a segment Open does not
// scan is found, copied aside and reported by the first reader reaching it.
func TestCorruptOlderSegment(t *testing.T) {
	dir := t.TempDir()
	writeBatches(t, dir, 40, Options{SegmentSize: 1024})
	segs := segPaths(t, dir)
	if len(segs) < 3 {
		t.Fatalf("%d segments", len(segs))
	}
	flip(t, segs[0], recordAt(t, segs[0], 4)+headerSize+3) // the payload of seq 4
	l := openLog(t, Options{Dir: dir, SegmentSize: 1024})
	if l.Lost() != nil {
		t.Fatalf("Open scanned an older segment: %v", l.Lost())
	}
	recs, lost := readAll(t, l, 1)
	want := []Lost{{From: 4, To: 4, Segment: segName(1), Reason: "corrupt frame"}}
	if diff := cmp.Diff(want, lost); diff != "" {
		t.Fatalf("reader lost (-want +got):\n%s", diff)
	}
	checkSeqs(t, recs, append(seqRange(1, 3), seqRange(5, 40)...), 50)
	checkCopied(t, dir, segName(1))
	if diff := cmp.Diff(want, l.Lost()); diff != "" {
		t.Fatalf("Lost (-want +got):\n%s", diff)
	}
	_, lost = readAll(t, l, 1) // a second reader is told too
	if diff := cmp.Diff(want, lost); diff != "" {
		t.Fatalf("second reader lost (-want +got):\n%s", diff)
	}
	if len(l.Lost()) != 1 {
		t.Fatalf("the loss was recorded twice: %v", l.Lost())
	}
}

func flip(t *testing.T, path string, off int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[off] ^= 0x5a
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func checkCopied(t *testing.T, dir, name string) {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "corrupt", name+".*"))
	if len(m) != 1 {
		t.Fatalf("copies of %s in corrupt/: %v", name, m)
	}
}

func TestHugeLengthDoesNotAllocate(t *testing.T) {
	dir := t.TempDir()
	writeBatches(t, dir, 3, Options{})
	h := make([]byte, headerSize)
	copy(h, magic[:])
	binary.LittleEndian.PutUint32(h[8:], 1<<32-1)
	binary.LittleEndian.PutUint64(h[12:], 4)
	h[20] = byte(KindEvent)
	binary.LittleEndian.PutUint32(h[4:], crc32.Checksum(h[8:], castagnoli))
	f, err := os.OpenFile(filepath.Join(dir, segName(1)), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(append(h, "some bytes"...))
	f.Close()
	for _, max := range []int64{0, 1<<32 - 1} { // default, and a bound that admits it
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		l, err := Open(Options{Dir: dir, MaxRecordBytes: max})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if d := after.TotalAlloc - before.TotalAlloc; d > 16<<20 {
			t.Fatalf("MaxRecordBytes %d: Open allocated %d bytes", max, d)
		}
		if l.NextSeq() != 4 {
			t.Fatalf("NextSeq %d", l.NextSeq())
		}
		l.Close()
	}
}

func TestMarksAfterTornSnapshot(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, SegmentSize: 1024}
	writeBatches(t, dir, 40, o)
	segs := segPaths(t, dir)
	lastSeg := segs[len(segs)-1]
	if err := os.Truncate(lastSeg, 10); err != nil { // inside its snapshot
		t.Fatal(err)
	}
	l := openLog(t, o)
	first, _ := parseSegName(filepath.Base(lastSeg))
	if l.NextSeq() != first {
		t.Fatalf("NextSeq %d, want %d", l.NextSeq(), first)
	}
	want := map[string][]byte{"k": {byte(first - 1)}}
	if diff := cmp.Diff(want, l.Marks()); diff != "" {
		t.Fatalf("marks (-want +got):\n%s", diff)
	}
}

func TestMetrics(t *testing.T) {
	dir := t.TempDir()
	writeBatches(t, dir, 10, Options{})
	path := filepath.Join(dir, segName(1))
	flip(t, path, recordAt(t, path, 5)+headerSize+1)
	reg := prometheus.NewRegistry()
	l := openLog(t, Options{Dir: dir, Registerer: reg})
	appendN(t, l, 4, 50)
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		got[mf.GetName()] = m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	want := map[string]float64{
		"auditship_buffer_lost_records_total":     1,
		"auditship_buffer_appended_records_total": 4,
		"auditship_buffer_segments":               1,
		"auditship_buffer_bytes":                  float64(l.activeSize),
		"auditship_buffer_fsyncs_total":           got["auditship_buffer_fsyncs_total"],
		"auditship_buffer_fsync_duration_seconds": 0,  // a histogram: neither counter nor gauge
		"auditship_buffer_records":                14, // seqs 1-14, the lost one included
		"auditship_buffer_usage_ratio":            float64(l.activeSize) / (1 << 30),
	}
	if diff := cmp.Diff(want, got); diff != "" || got["auditship_buffer_fsyncs_total"] < 1 {
		t.Fatalf("metrics (-want +got):\n%s", diff)
	}
	l2, err := Open(Options{Dir: t.TempDir(), Registerer: reg})
	if err != nil {
		t.Fatalf("a second log on the same registry: %v", err)
	}
	l2.Close()
}

// oldSegment is a segment as versions before the opening marks record
// wrote it: a snapshot first, and a marks record after a write's records
// only if marks changed. Its last write carries no marks at all.
func oldSegment() []byte {
	b := appendFrame(nil, 1, KindMarks, []byte{marksSnapshot, 0})
	for seq := uint64(1); seq <= 3; seq++ {
		b = appendFrame(b, seq, KindEvent, payload(seq, 50))
	}
	b = appendFrame(b, 4, KindMarks, appendMarkEntry([]byte{marksDelta, 1}, "k", []byte("old")))
	for seq := uint64(4); seq <= 5; seq++ {
		b = appendFrame(b, seq, KindEvent, payload(seq, 50))
	}
	return b
}

// TestOlderVersionSegment: an upgrade keeps every record of a segment
// written before writes carried their size, even a last write without
// marks; the writes appended after the upgrade are kept whole or dropped.
func TestOlderVersionSegment(t *testing.T) {
	dir := t.TempDir()
	old := oldSegment()
	if err := os.WriteFile(filepath.Join(dir, segName(1)), old, 0o600); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, Options{Dir: dir})
	if got := fileSize(t, filepath.Join(dir, segName(1))); l.NextSeq() != 6 || got != int64(len(old)) {
		t.Fatalf("NextSeq %d, size %d; want 6 and %d", l.NextSeq(), got, len(old))
	}
	if diff := cmp.Diff(map[string][]byte{"k": []byte("old")}, l.Marks()); diff != "" {
		t.Fatalf("marks (-want +got):\n%s", diff)
	}
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 5), 50)
	l.SetMark("k", []byte("new"))
	appendN(t, l, 3, 50)
	l.Close()
	w := lastWrite{dir: dir, name: segName(1), data: readFile(t, filepath.Join(dir, segName(1))),
		start: int64(len(old)), first: 6, last: 8, marks: []byte("old"), after: []byte("new")}
	w.end = int64(len(w.data))
	for cut := w.start; cut <= w.end; cut++ {
		checkCut(t, w, Options{}, cut)
	}
}

// TestOlderVersionWriteAfterNew: a write without a size after one with a
// size (a downgrade, then an upgrade) is kept like any older write.
func TestOlderVersionWriteAfterNew(t *testing.T) {
	dir := t.TempDir()
	writeBatches(t, dir, 3, Options{})
	path := filepath.Join(dir, segName(1))
	b := readFile(t, path)
	for seq := uint64(4); seq <= 5; seq++ {
		b = appendFrame(b, seq, KindEvent, payload(seq, 50))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	l := openLog(t, Options{Dir: dir})
	if got := fileSize(t, path); l.NextSeq() != 6 || got != int64(len(b)) {
		t.Fatalf("NextSeq %d, size %d; want 6 and %d", l.NextSeq(), got, len(b))
	}
	recs, _ := readAll(t, l, 1)
	checkSeqs(t, recs, seqRange(1, 5), 50)
}

// TestDamagedTailOfWholeWrite: a last write whose bytes all reached the
// file but whose marks record is damaged is corruption, not a crash: its
// records stay (the marks are lost, so some may be read again).
func TestDamagedTailOfWholeWrite(t *testing.T) {
	dir := t.TempDir()
	w := writeLastBatch(t, dir, Options{}, 5, true)
	flip(t, filepath.Join(dir, w.name), w.end-3)
	l := openLog(t, Options{Dir: dir})
	if l.NextSeq() != w.last+1 {
		t.Fatalf("NextSeq %d, want %d: the records of a whole write were dropped", l.NextSeq(), w.last+1)
	}
	recs, _ := readAll(t, l, w.first)
	if len(recs) != int(w.last-w.first+1) {
		t.Fatalf("read %d records of the write, want %d", len(recs), w.last-w.first+1)
	}
}
