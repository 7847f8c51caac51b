package index

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/auditship/auditship/internal/event"
)

func TestPlan(t *testing.T) {
	for _, c := range []struct {
		where string
		want  []term
	}{
		{`workflowInstanceId == 'w1'`, []term{{"workflowInstanceId", []string{"w1"}}}},
		{`'w1' == workflowInstanceId`, []term{{"workflowInstanceId", []string{"w1"}}}},
		{`businessKey in ['a', 'b'] && identity == "u"`, []term{{"businessKey", []string{"a", "b"}}, {"identity", []string{"u"}}}},
		{`n == 5 and m in [1, -2]`, []term{{"n", []string{"5"}}, {"m", []string{"1", "-2"}}}},
		{`(a == 'x' && b == 'y') && c == 'z'`, []term{{"a", []string{"x"}}, {"b", []string{"y"}}, {"c", []string{"z"}}}},
		{`a == 'x' || b == 'y'`, nil}, // a disjunction rules nothing out
		{`a == 'x' && (b == 'y' || c == 'z')`, []term{{"a", []string{"x"}}}},
		{`not (a == 'x')`, nil},
		{`a != 'x'`, nil},
		{`a == ''`, nil}, // "" is what a missing field compares as in `in`
		{`a in ['x', '']`, nil},
		{`a in ['x', b]`, nil}, // not all literals
		{`a == 1.5`, nil},      // only string and integer literals
		{`a == b`, nil},
		{`variables.x == 'y'`, nil}, // nested paths are not indexed
		{`$env.a == 'x'`, nil},
		{`let v = 'x'; a == v`, nil},
		{`a matches 'x'`, nil},
		{``, nil},
	} {
		q, err := NewQuery(c.where, time.Time{}, time.Time{})
		if err != nil {
			t.Errorf("%q: %v", c.where, err)
			continue
		}
		if diff := cmp.Diff(c.want, q.terms, cmp.AllowUnexported(term{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", c.where, diff)
		}
	}
}

func TestMayMatch(t *testing.T) {
	var lines [][]byte
	for i := range 40 { // enough values for a filter
		lines = append(lines, line(i, `,"workflowInstanceId":"wi-`+string(rune('A'+i))+`-0000000000","businessKey":"order-7","n":42`))
	}
	r := build([]string{"workflowInstanceId", "businessKey", "n"}, lines...) // times t0 .. t0+39s
	if r.Field("workflowInstanceId").Bloom == nil || r.Field("businessKey").Bloom != nil {
		t.Fatal("want a filter for workflowInstanceId and an exact set for businessKey")
	}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	for _, c := range []struct {
		where        string
		since, until time.Time
		want         bool
	}{
		{``, time.Time{}, time.Time{}, true},
		{`businessKey == 'order-7'`, time.Time{}, time.Time{}, true},
		{`businessKey == 'order-8'`, time.Time{}, time.Time{}, false},
		{`businessKey in ['order-8', 'order-7']`, time.Time{}, time.Time{}, true},
		{`businessKey in ['order-8', 'order-9']`, time.Time{}, time.Time{}, false},
		{`workflowInstanceId == 'wi-C-0000000000'`, time.Time{}, time.Time{}, true},
		{`workflowInstanceId == 'wi-none'`, time.Time{}, time.Time{}, false},
		{`n == 42`, time.Time{}, time.Time{}, true},
		{`n == 43`, time.Time{}, time.Time{}, false},
		{`identity == 'u'`, time.Time{}, time.Time{}, true}, // not an index field of this record: unknown
		{`businessKey == 'order-8' || true`, time.Time{}, time.Time{}, true},
		{`businessKey == 'order-7' && n == 43`, time.Time{}, time.Time{}, false},
		{``, at(39), time.Time{}, true},
		{``, at(40), time.Time{}, false},
		{``, time.Time{}, at(0), false}, // until is exclusive
		{``, time.Time{}, at(1), true},
		{`businessKey == 'order-7'`, at(50), at(60), false},
	} {
		q, err := NewQuery(c.where, c.since, c.until)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.MayMatch(q); got != c.want {
			t.Errorf("%q [%v, %v): MayMatch %v, want %v", c.where, c.since, c.until, got, c.want)
		}
	}
	// and a record without time range or fields (from a manifest) may match anything
	if !(&Record{}).MayMatch(&Query{Since: at(100), terms: []term{{"businessKey", []string{"x"}}}}) {
		t.Error("an empty record rules a batch out")
	}
}

// TestScanEventReusesFields: scanning line after line into one event
// allocates nothing once its fields have grown (replay reads every line
// of the batches it selects this way), and leaves nothing of the line
// before.
func TestScanEventReusesFields(t *testing.T) {
	a := []byte(`{"_id":"a1","_seq":1,"_time":"2026-03-01T12:00:00Z","category":"workflow","businessKey":"B-1","n":5}`)
	b := []byte(`{"_id":"b2","_seq":2,"_time":"2026-03-01T12:00:01Z","category":"messaging"}`)
	var e event.Event
	if err := ScanEvent(&e, a); err != nil {
		t.Fatal(err)
	}
	if err := ScanEvent(&e, b); err != nil {
		t.Fatal(err)
	}
	if _, ok := e.Get("businessKey"); ok || e.ID != "b2" || e.Category != "messaging" || e.Time.Second() != 1 {
		t.Errorf("after the second line: id %q category %q time %v, businessKey kept %v", e.ID, e.Category, e.Time, ok)
	}
	if n := testing.AllocsPerRun(100, func() { ScanEvent(&e, a) }); n != 0 {
		t.Errorf("%v allocations per line", n)
	}
}
