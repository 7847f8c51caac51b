package index

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

var sumStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// sumRecord is the record of a batch at tree size before of n events,
// event i with businessKey key(i) and identity "john", a second apart
// from sumStart plus before seconds.
func sumRecord(fields []string, before uint64, n int, key func(int) string) *Record {
	b := NewBuilder(fields)
	for i := range n {
		seq := int(before) + i + 1
		l := fmt.Appendf(nil, `{"_id":"%032x","_seq":%d,"_time":"2026-03-01T12:00:00Z","category":"workflow","_source":{"input":"in","path":"/x","offset":%d},"businessKey":%q,"identity":"john"}`,
			seq, seq, seq*100, key(i))
		b.Add(l, sumStart.Add(time.Duration(seq)*time.Second))
	}
	r := &Record{Version: RecordVersion, Key: fmt.Sprintf("k-%d", before), SizeBefore: before, Count: n}
	b.Fill(r)
	return r
}

// sumRecords: three batches of 100 events; the first two have few keys
// (exact sets), the third 100 distinct ones (a Bloom filter); the third
// indexes businessKey only.
func sumRecords() []*Record {
	fields := []string{"businessKey", "identity"}
	return []*Record{
		sumRecord(fields, 0, 100, func(i int) string { return fmt.Sprintf("A-%d", i%3) }),
		sumRecord(fields, 100, 100, func(i int) string { return fmt.Sprintf("B-%d", i%3) }),
		sumRecord(fields[:1], 200, 100, func(i int) string { return fmt.Sprintf("C-%d", i) }),
	}
}

func TestSummaryColumns(t *testing.T) {
	recs := sumRecords()
	if recs[2].Field("businessKey").Bloom == nil || recs[0].Field("businessKey").Bloom != nil {
		t.Fatal("want exact sets in the first batches and a filter in the third")
	}
	cols := Summarize(recs)
	if len(cols) != 3 || cols[0].Field != "businessKey" || cols[1].Field != "identity" || !cols[2].Time {
		t.Fatalf("columns %+v, want businessKey, identity, time", cols)
	}
	for _, c := range cols {
		data, gz := c.Marshal()
		again, _ := c.Marshal()
		if !bytes.Equal(data, again) {
			t.Errorf("column %q: Marshal is not deterministic", c.Field)
		}
		if gz != (len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b) {
			t.Errorf("column %q: gz %v, bytes %q...", c.Field, gz, data[:2])
		}
		back, err := ParseSummary(data)
		if err != nil {
			t.Fatal(err)
		}
		if len(back.Batches) != len(recs) {
			t.Fatalf("column %q: %d entries, want %d", c.Field, len(back.Batches), len(recs))
		}
		for i, r := range recs {
			if why := back.Disagrees(&back.Batches[i], r); why != "" {
				t.Errorf("column %q, batch %d: %s", c.Field, i, why)
			}
			if back.Batches[i].SizeBefore != r.SizeBefore {
				t.Errorf("column %q, batch %d: size %d", c.Field, i, back.Batches[i].SizeBefore)
			}
		}
	}
	// the third record does not index identity: its entry has no set
	if cols[1].Batches[2].Set != nil {
		t.Errorf("identity of batch 3: %+v, want no set", cols[1].Batches[2].Set)
	}
	// a column of many filters pays to compress
	var many []*Record
	for i := range 50 {
		many = append(many, sumRecord([]string{"businessKey"}, uint64(i*100), 100, func(j int) string { return fmt.Sprintf("K-%d-%d", i, j) }))
	}
	if _, gz := Summarize(many)[0].Marshal(); !gz {
		t.Error("a column of 50 filters is stored uncompressed")
	}
}

func TestSummaryRuledOut(t *testing.T) {
	recs := sumRecords()
	cols := Summarize(recs)
	rule := func(where string, since, until time.Time, col *Summary) []uint64 {
		q, err := NewQuery(where, since, until)
		if err != nil {
			t.Fatal(err)
		}
		got := col.RuledOut(q)
		// never more than the records themselves rule out
		for _, size := range got {
			if recs[size/100].MayMatch(q) {
				t.Errorf("%q: the column rules out batch %d, its record may match", where, size)
			}
		}
		return got
	}
	eq := func(got []uint64, want ...uint64) bool { return fmt.Sprint(got) == fmt.Sprint(want) }
	if got := rule("businessKey == 'A-1'", time.Time{}, time.Time{}, cols[0]); !eq(got, 100, 200) {
		t.Errorf("A-1: ruled out %v, want [100 200]", got)
	}
	if got := rule("businessKey in ['B-2', 'C-7']", time.Time{}, time.Time{}, cols[0]); !eq(got, 0) {
		t.Errorf("B-2 or C-7: ruled out %v, want [0]", got)
	}
	// the identity column says nothing of batch 3, which does not index it
	if got := rule("identity == 'mary' && businessKey == 'C-1'", time.Time{}, time.Time{}, cols[1]); !eq(got, 0, 100) {
		t.Errorf("identity mary: ruled out %v, want [0 100]", got)
	}
	// a column of another field rules nothing out
	if got := rule("identity == 'mary'", time.Time{}, time.Time{}, cols[0]); len(got) != 0 {
		t.Errorf("identity by the businessKey column: ruled out %v", got)
	}
	// time: batch 2 holds seqs 101-200, at sumStart + 101s ... 200s
	since, until := sumStart.Add(150*time.Second), sumStart.Add(202*time.Second)
	if got := rule("", since, until, cols[2]); !eq(got, 0) {
		t.Errorf("time: ruled out %v, want [0]", got)
	}
	if got := rule("", time.Time{}, sumStart.Add(101*time.Second), cols[2]); !eq(got, 100, 200) {
		t.Errorf("until: ruled out %v, want [100 200]", got)
	}
	q, _ := NewQuery("businessKey == 'A-1' && identity in ['x', 'y'] && businessKey == 'B-1'", since, time.Time{})
	fields, times := q.Columns()
	if strings.Join(fields, ",") != "businessKey,identity" || !times {
		t.Errorf("Columns: %v %v", fields, times)
	}
}

func TestSummaryDisagrees(t *testing.T) {
	recs := sumRecords()
	cols := Summarize(recs)
	e := cols[0].Batches[0]
	set := *e.Set
	set.Values = []string{"A-0", "A-2"}
	e.Set = &set
	if why := cols[0].Disagrees(&e, recs[0]); !strings.Contains(why, "another set") {
		t.Errorf("a value left out: %q", why)
	}
	e = cols[0].Batches[2] // the filter said to be placed by SHA-256
	set = *e.Set
	set.Hash = ""
	e.Set = &set
	if why := cols[0].Disagrees(&e, recs[2]); !strings.Contains(why, "another set") {
		t.Errorf("the filter's hash changed: %q", why)
	}
	e = cols[1].Batches[2] // no set: the record does not index identity
	if why := cols[1].Disagrees(&e, recs[0]); !strings.Contains(why, "no set") {
		t.Errorf("a set left out: %q", why)
	}
	e = cols[2].Batches[1]
	e.MaxTime = e.MaxTime.Add(-time.Second)
	if why := cols[2].Disagrees(&e, recs[1]); !strings.Contains(why, "time range") {
		t.Errorf("a narrowed time range: %q", why)
	}
}

func TestParseSummaryRefuses(t *testing.T) {
	for _, in := range []string{
		`{"v":3,"field":"a","batches":[]}`,
		`{"v":1,"batches":[]}`,
		`{"v":1,"field":"a","time":true,"batches":[]}`,
		"\x1f\x8bnot gzip",
		`[`,
	} {
		if _, err := ParseSummary([]byte(in)); err == nil {
			t.Errorf("%q: parsed", in)
		}
	}
}

// TestSummaryMarshalReusesCompressor: a column is compressed without a
// compressor of its own (about 1 MiB each): a checkpoint of many
// pipelines at once stays small.
func TestSummaryMarshalReusesCompressor(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops some of what is put back under the race detector")
	}
	col := Summarize(sumRecords())[0]
	col.Marshal()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 20
	for range n {
		col.Marshal()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 256<<10 {
		t.Errorf("%d bytes allocated per column", per)
	}
}
