package index

import (
	"bytes"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/auditship/auditship/internal/entry"
	"github.com/auditship/auditship/internal/event"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func line(seq int, kv string) []byte {
	return fmt.Appendf(nil, `{"_id":"%032x","_seq":%d,"_time":"2026-03-01T12:00:00Z","category":"workflow","_source":{"input":"in","path":"/x","offset":%d}%s}`,
		seq, seq, seq*100, kv)
}

func build(fields []string, lines ...[]byte) *Record {
	b := NewBuilder(fields)
	for i, l := range lines {
		b.Add(l, t0.Add(time.Duration(i)*time.Second))
	}
	r := &Record{Key: "k"}
	b.Fill(r)
	return r
}

func TestBuilderExactSets(t *testing.T) {
	r := build([]string{"businessKey", "n", "identity", "variables"},
		line(1, `,"businessKey":"B-2","n":5,"variables":{"businessKey":"nested"}`),
		line(2, `,"businessKey":"B-1","n":5.0,"identity":null`),
		line(3, `,"businessKey":"B-2","n":-0,"variables":[1,{"x":"}"}]`),
		line(4, `,"businessKey":"B-\u0031","other":"ignored"`),
	)
	want := []FieldSet{
		// a nested member of the same name adds its value: false positives only
		{Name: "businessKey", N: 3, Values: []string{"B-1", "B-2", "nested"}},
		{Name: "n", N: 2, Values: []string{"0", "5"}},
		{Name: "identity", N: 1, Values: []string{"null"}},
		{Name: "variables", N: 0},
	}
	if diff := cmp.Diff(want, r.Fields, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if !r.MinTime.Equal(t0) || !r.MaxTime.Equal(t0.Add(3*time.Second)) {
		t.Errorf("time range %v..%v", r.MinTime, r.MaxTime)
	}
}

func TestBuilderBloomNoFalseNegatives(t *testing.T) {
	b := NewBuilder([]string{"workflowInstanceId"})
	var ids []string
	for i := range 3000 {
		id := fmt.Sprintf("wi-%08d", i)
		ids = append(ids, id)
		b.Add(line(i, `,"workflowInstanceId":"`+id+`"`), t0)
		b.Add(line(i, `,"workflowInstanceId":"`+id+`"`), t0) // repeated: the previous-value path
	}
	r := &Record{}
	b.Fill(r)
	fs := r.Field("workflowInstanceId")
	if fs.Bloom == nil || fs.Values != nil || fs.N != 3000 || fs.K != bloomK {
		t.Fatalf("want a filter of 3000 values, got n=%d k=%d bloom %d bytes values %d", fs.N, fs.K, len(fs.Bloom), len(fs.Values))
	}
	for _, id := range ids {
		if !fs.Has(id) {
			t.Fatalf("filter lacks %s", id)
		}
	}
	fp := 0
	for i := range 10000 {
		if fs.Has(fmt.Sprintf("absent-%d", i)) {
			fp++
		}
	}
	if fp > 50 { // 0.1% expected: 10
		t.Errorf("%d false positives in 10000", fp)
	}
	if max := 3000 * 15 / 8; len(fs.Bloom) > max {
		t.Errorf("filter of %d bytes for 3000 values, want at most %d", len(fs.Bloom), max)
	}
}

func TestBuilderExactToBloomSwitch(t *testing.T) {
	for _, c := range []struct {
		n     int
		bloom bool
	}{{1, false}, {10, false}, {30, true}} {
		var lines [][]byte
		for i := range c.n {
			lines = append(lines, line(i, fmt.Sprintf(`,"f":"value-%04d"`, i))) // 10 bytes + 3 each
		}
		fs := build([]string{"f"}, lines...).Field("f")
		if got := fs.Bloom != nil; got != c.bloom || fs.N != c.n {
			t.Errorf("%d values: bloom %v (n=%d), want %v", c.n, got, fs.N, c.bloom)
		}
	}
}

func TestBuilderDeterministicBytes(t *testing.T) {
	var lines [][]byte
	for i := range 500 {
		lines = append(lines, line(i, fmt.Sprintf(`,"a":"x%d","b":"y%d","c":"%d"`, i%7, i, i%3)))
	}
	rev := make([][]byte, len(lines))
	for i, l := range lines {
		rev[len(lines)-1-i] = l
	}
	one := build([]string{"a", "b", "c"}, lines...).Marshal()
	two := build([]string{"a", "b", "c"}, rev...).Marshal()
	if !bytes.Equal(one, two) {
		t.Errorf("same values in another order give other bytes:\n%s\n%s", one, two)
	}
	// and a builder reused after Reset gives the same bytes again
	b := NewBuilder([]string{"a", "b", "c"})
	b.Add(line(0, `,"a":"other"`), t0)
	b.Reset()
	for i, l := range lines {
		b.Add(l, t0.Add(time.Duration(i)*time.Second))
	}
	r := &Record{Key: "k"}
	b.Fill(r)
	if again := r.Marshal(); !bytes.Equal(one, again) {
		t.Errorf("reused builder gives other bytes")
	}
	if _, err := Parse(one); err != nil {
		t.Fatal(err)
	}
}

func TestBuilderWithoutFieldsKeepsTheTimeRange(t *testing.T) {
	r := build(nil, line(1, `,"businessKey":"b"`), line(2, ``))
	if len(r.Fields) != 0 || !r.MinTime.Equal(t0) || !r.MaxTime.Equal(t0.Add(time.Second)) {
		t.Errorf("record %+v, want no field sets and the time range", r)
	}
}

func TestAddAllocsForSeenValues(t *testing.T) {
	b := NewBuilder(DefaultFields)
	l1 := line(1, `,"workflowInstanceId":"w1","businessKey":"b1","identity":"u","transactionId":"t1","variables":{"a":[1,2,"x"]}`)
	l2 := line(2, `,"workflowInstanceId":"w2","businessKey":"b2","identity":"u","transactionId":"t2"`)
	b.Add(l1, t0)
	b.Add(l2, t0)
	allocs := testing.AllocsPerRun(100, func() {
		b.Add(l1, t0)
		b.Add(l2, t0)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per pair of events whose values were seen", allocs)
	}
}

// benchBodies are bench-like events: 50 instances interleaved, a
// transaction per 4 events (the source keys, a leading comma).
func benchBodies() []string {
	var bodies []string
	for i := range 1000 {
		bodies = append(bodies, fmt.Sprintf(`,"identity":"hr.admin@example.com","workflowDefinitionId":"hire","workflowInstanceId":"b20c96ab-52fc-48ae-8e08-%012d","workflowDefinitionName":"Hire","workflowDefinitionVersion":"2.1","workflowInstanceState":1,"description":"Hiring of Ольга Петрова","variables":{"candidate":{"name":"Ольга Петрова","email":"cand1@example.com","salary":76000,"experience":3},"startDate":[2024,9,19]},"tags":[],"businessKey":"order-%d","transactionId":"9431f3be-16ff-4328-a61b-%012d","nodeInstanceId":"d67f769a-5d4e-4762-8b96-2af35c782c36","nodeDefinitionId":"StartEvent_1","nodeName":"Start","nodeInstanceState":"Active","nodeType":"StartNodeInstance","message":"About to execute workflow instance node"`,
			i%50, i%50, i/4))
	}
	return bodies
}

func BenchmarkBuilderAdd(b *testing.B) {
	var lines [][]byte
	for i, kv := range benchBodies() {
		lines = append(lines, line(i, kv))
	}
	bl := NewBuilder(DefaultFields)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%5000 == 0 {
			bl.Reset()
		}
		bl.Add(lines[i%len(lines)], t0)
	}
}

// BenchmarkBuilderAddFile indexes the envelope lines of a stored ndjson
// batch named by AUDITSHIP_INDEX_BENCH_FILE (e.g. one `make bench`
// wrote): the per-event cost on real data, for the cost figures.
func BenchmarkBuilderAddFile(b *testing.B) {
	path := os.Getenv("AUDITSHIP_INDEX_BENCH_FILE")
	if path == "" {
		b.Skip("AUDITSHIP_INDEX_BENCH_FILE not set")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	bl := NewBuilder(DefaultFields)
	b.SetBytes(int64(len(data) / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i % len(lines)
		if j == 0 {
			bl.Reset()
		}
		bl.Add(lines[j], t0)
	}
}

// captured renders ev with a capture of names and returns its envelope
// and the positions noted.
func captured(t testing.TB, c *event.Capture, body string) ([]byte, []byte) {
	t.Helper()
	b := []byte(body)
	fields, at := entry.ScanObject(b, nil)
	if at >= 0 {
		t.Fatalf("bad body %s", body)
	}
	e := &event.Event{ID: "i", TimeText: "T", Format: event.FormatJSON, Body: b, Fields: fields}
	env := e.AppendJSONCapture(nil, c)
	pos, ok := c.Positions()
	if !ok {
		t.Fatalf("positions not noted: %s", body)
	}
	return env, append([]byte(nil), pos...)
}

// TestBuilderCaptured: values looked up from captured positions give the
// record that the top-level members give; a record noted by another
// capture, or with malformed positions, is scanned.
func TestBuilderCaptured(t *testing.T) {
	fields := []string{"businessKey", "identity"}
	names := []string{"identity", "other", "businessKey"} // the pipeline's union, in its order
	c := event.NewCapture(names)
	bodies := []string{
		`{"businessKey":"B-1","identity":"ann","x":{"identity":"nested"}}`,
		`{"identity":"bob","businessKey":7,"businessKey":"B-\u0032"}`,
		`{"other":1}`,
		`{"identity":{"not":"a literal"},"businessKey":"B-1"}`,
	}
	fromCapture, top := NewBuilder(fields), NewBuilder(fields)
	fromCapture.UseCapture(c.Tag, names)
	for _, body := range bodies {
		env, pos := captured(t, c, body)
		fromCapture.AddCaptured(env, t0, c.Tag, pos)
		top.AddTop(env, t0)
	}
	got, want := &Record{}, &Record{}
	fromCapture.Fill(got)
	top.Fill(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("captured record (-top-level +captured):\n%s", diff)
	}
	if got.Field("identity").Has("nested") {
		t.Error("a nested member was indexed from the capture")
	}
	if len(top.Gaps(got)) != 0 {
		t.Errorf("gaps %v", top.Gaps(got))
	}

	env, pos := captured(t, c, bodies[0])
	for name, tc := range map[string]struct {
		tag uint64
		pos []byte
	}{"other capture": {event.CaptureTag([]string{"identity"}), pos}, "malformed": {c.Tag, []byte{0, 1}}} {
		b := NewBuilder(fields)
		b.UseCapture(c.Tag, names)
		b.AddCaptured(env, t0, tc.tag, tc.pos)
		r := &Record{}
		b.Fill(r)
		if !r.Field("identity").Has("nested") || !r.Field("businessKey").Has("B-1") {
			t.Errorf("%s: the line was not scanned: %+v", name, r.Fields)
		}
	}
}

// TestBuilderCaptureMustCoverFields: a capture that lacks an index field
// is not used (that field's values would be missed).
func TestBuilderCaptureMustCoverFields(t *testing.T) {
	c := event.NewCapture([]string{"identity"})
	env, pos := captured(t, c, `{"identity":"ann","businessKey":"B-1"}`)
	b := NewBuilder([]string{"businessKey", "identity"})
	b.UseCapture(c.Tag, []string{"identity"})
	b.AddCaptured(env, t0, c.Tag, pos)
	r := &Record{}
	b.Fill(r)
	if !r.Field("businessKey").Has("B-1") {
		t.Errorf("businessKey missed: %+v", r.Fields)
	}
}

// BenchmarkBuilderAddCaptured is BenchmarkBuilderAdd's events indexed from
// the positions noted when they were rendered.
func BenchmarkBuilderAddCaptured(b *testing.B) {
	c := event.NewCapture(DefaultFields)
	var lines, pos [][]byte
	for _, kv := range benchBodies() {
		env, p := captured(b, c, "{"+kv[1:]+"}")
		lines, pos = append(lines, env), append(pos, p)
	}
	bl := NewBuilder(DefaultFields)
	bl.UseCapture(c.Tag, DefaultFields)
	var r Record
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%5000 == 0 { // a batch: its record is made, then the next begins
			bl.Fill(&r)
			bl.Reset()
		}
		bl.AddCaptured(lines[i%len(lines)], t0, c.Tag, pos[i%len(pos)])
	}
}

// TestBuilderHashedMatchesExact: a field kept as hashes once it outgrew an
// exact set gives the record bytes of one that kept every value, whatever
// the order and however many repeats.
func TestBuilderHashedMatchesExact(t *testing.T) {
	reused := NewBuilder([]string{"a", "b"})               // Reset between sizes, down as well as up
	for _, n := range []int{5, 25, 26, 400, 5000, 26, 5} { // 25 values fit an exact set, 26 do not; 5000 x 3 compact the list on the way
		var lines [][]byte
		for i := range 3 * n {
			lines = append(lines, line(i, fmt.Sprintf(`,"a":"v-%05d","b":%d`, (i*11)%n, i%3)))
		}
		fields := []string{"a", "b"}
		hashed, exact := NewBuilder(fields), NewExactBuilder(fields)
		for _, l := range lines {
			hashed.Add(l, t0)
			exact.Add(l, t0)
		}
		if want := n*exactSize("v-00000") > exactMaxBytes; hashed.fields[0].hashed != want {
			t.Errorf("%d values: kept as hashes %v, want %v", n, hashed.fields[0].hashed, want)
		}
		rh, re := &Record{Key: "k"}, &Record{Key: "k"}
		hashed.Fill(rh)
		exact.Fill(re)
		if !bytes.Equal(rh.Marshal(), re.Marshal()) {
			t.Errorf("%d values: hashed\n%s\nexact\n%s", n, rh.Marshal(), re.Marshal())
		}
		reused.Reset()
		for _, l := range lines {
			reused.Add(l, t0)
		}
		rr := &Record{Key: "k"}
		reused.Fill(rr)
		if !bytes.Equal(rr.Marshal(), re.Marshal()) {
			t.Errorf("%d values, builder reused: \n%s\nexact\n%s", n, rr.Marshal(), re.Marshal())
		}
		if fs := rh.Field("a"); fs.N != n {
			t.Errorf("%d values: n=%d", n, fs.N)
		}
	}
}

// TestFilterVersion1StillRead: a filter of a version 1 record (placed by
// SHA-256, no hash name) is looked up by SHA-256.
func TestFilterVersion1StillRead(t *testing.T) {
	fs := FieldSet{Name: "f", N: 100, Bloom: make([]byte, 200), K: bloomK}
	for i := range 100 {
		h1, h2 := shaHashes(fmt.Sprint("v", i))
		m := uint64(len(fs.Bloom)) * 8
		for k := range uint64(bloomK) {
			j := (h1 + k*h2) % m
			fs.Bloom[j/8] |= 1 << (j % 8)
		}
	}
	rec := Record{Version: 1, Key: "k", Fields: []FieldSet{fs}}
	got, err := Parse(rec.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if !got.Field("f").Has(fmt.Sprint("v", i)) {
			t.Fatalf("v%d not found in a version 1 filter", i)
		}
	}
	if _, err := Parse([]byte(`{"v":3,"key":"k"}`)); err == nil {
		t.Error("a record of a later version was parsed")
	}
}

// TestGapsOfHashedFields: values a builder kept as hashes are checked
// against exact sets and xxHash filters, and a missing one is counted.
func TestGapsOfHashedFields(t *testing.T) {
	var lines [][]byte
	for i := range 100 {
		lines = append(lines, line(i, fmt.Sprintf(`,"a":"value-%04d"`, i)))
	}
	b := NewBuilder([]string{"a"})
	for _, l := range lines {
		b.Add(l, t0)
	}
	if !b.fields[0].hashed {
		t.Fatal("100 values were not kept as hashes")
	}
	full := build([]string{"a"}, lines...)
	short := build([]string{"a"}, lines[:98]...)
	values := make([]string, 100)
	for i := range values {
		values[i] = fmt.Sprintf("value-%04d", i)
	}
	asSet := &Record{Fields: []FieldSet{{Name: "a", N: 99, Values: values[1:]}}}
	for name, c := range map[string]struct {
		r       *Record
		missing int
	}{"filter": {full, 0}, "filter lacking 2": {short, 2}, "exact set lacking 1": {asSet, 1}} {
		gaps := b.Gaps(c.r)
		got := 0
		for _, g := range gaps {
			got += g.Missing
		}
		if got != c.missing {
			t.Errorf("%s: %d missing (%+v), want %d", name, got, gaps, c.missing)
		}
	}
}
