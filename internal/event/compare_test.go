package event

import "testing"

// TestStringIn checks StringIn against its definition: Get's value is a
// string equal to one of the candidates.
func TestStringIn(t *testing.T) {
	e := accessEvent()
	e.Fields = append(e.Fields, raw("bad", `"\ud800\"`), raw("sp", ` "a" `),
		Field{Key: []byte("word"), Value: []byte("abc"), Kind: KindNumber})
	paths := []string{"category", "_id", "_seq", "_time", "s", "n", "t", "z", "dup", "added", "num",
		"_partial", "_time_source", "o.k.x.1", "o.e", "o.k", "missing", "_id.x", "bad", "sp", "word"}
	wants := [][]string{{"workflow"}, {"id1"}, {"42"}, {`a"b`}, {"y", "é"}, {"processor"}, {"ingest"},
		{""}, {"a"}, {"abc"}, {"2024-05-13T08:00:01Z"}, {"150"}, {"true"}, {}, {"x", "src"}}
	for _, p := range paths {
		for _, w := range wants {
			v, _ := e.Get(p)
			s, isStr := v.(string)
			want := isStr && oneOf(s, w)
			if got := e.StringIn(p, w...); got != want {
				t.Errorf("StringIn(%q, %q) = %v; Get gives %#v", p, w, got, v)
			}
		}
	}
}

func TestStringInAllocs(t *testing.T) {
	e := accessEvent()
	n := testing.AllocsPerRun(100, func() {
		e.StringIn("category", "workflow")
		e.StringIn("added", "x", "processor")
		e.StringIn("o.k.x.1", "y")
	})
	if n != 0 {
		t.Errorf("%v allocs, want 0", n)
	}
}
