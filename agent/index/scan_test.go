package index

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeys(t *testing.T) {
	in := []byte(`{"_id":"x","_time":"2026-01-01T08:00:00Z","id":"short","msg":"set \"businessKey\":\"no\" at 08:00",` +
		`"businessKey" : "B1","variables":{"businessKey":"nested","list":["businessKey",":"]},` +
		`"xbusinessKey":"not it","workflowInstanceId":"w1","n":{"workflowInstanceId" :-1.5e3},"businessKey":null}`)
	k := newKeys([]string{"businessKey", "workflowInstanceId", "id"})
	var got [][2]string
	k.each(in, func(i int, val []byte) { got = append(got, [2]string{k.names[i].name, string(val)}) })
	want := [][2]string{
		{"id", `"short"`},
		{"businessKey", `"B1"`},
		{"businessKey", `"nested"`},
		{"workflowInstanceId", `"w1"`},
		{"workflowInstanceId", `-1.5e3`},
		{"businessKey", `null`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	// at every alignment, the key is found once
	for pad := range 16 {
		line := []byte(`{"` + strings.Repeat("a", pad) + `":1,"workflowInstanceId":"w"}`)
		n := 0
		k.each(line, func(int, []byte) { n++ })
		if n != 1 {
			t.Errorf("padding %d: found %d times", pad, n)
		}
	}
}

func TestValueEnd(t *testing.T) {
	in := []byte(`"x\"}\\",{"c":["]", {"d":"\\\""}],"e":1},[1,2] ,-1.5e3,null}`)
	var got []string
	for i := 0; i < len(in); {
		e := valueEnd(in, i)
		if e < 0 {
			t.Fatalf("no end of the value at %d", i)
		}
		got = append(got, string(in[i:e]))
		i = skipWS(in, e)
		if in[i] == '}' {
			break
		}
		i = skipWS(in, i+1)
	}
	want := []string{`"x\"}\\"`, `{"c":["]", {"d":"\\\""}],"e":1}`, `[1,2]`, `-1.5e3`, `null`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
}

func TestCanonical(t *testing.T) {
	for raw, want := range map[string]string{
		`"abc"`: "abc", `"a\u0062c"`: "abc", `"a\"b"`: `a"b`, `5`: "5", `5.0`: "5", `5e1`: "50",
		`-0`: "0", `-7`: "-7", `1.5`: "1.5", `true`: "true", `null`: "null",
	} {
		if got, ok := canonical([]byte(raw)); !ok || string(got) != want {
			t.Errorf("canonical(%s) = %q, %v; want %q", raw, got, ok, want)
		}
	}
	for _, raw := range []string{`{}`, `[1]`} {
		if _, ok := canonical([]byte(raw)); ok {
			t.Errorf("canonical(%s) indexes a composite value", raw)
		}
	}
}

func TestHeadEnd(t *testing.T) {
	for _, c := range []struct{ line, rest string }{
		{`{"_id":"a\"b","_seq":7,"_time":"2026-01-01T00:00:00Z","category":"workflow","_source":{"input":"in","path":"/x}","offset":12},"k":1}`, `,"k":1}`},
		{`{"_id":"a","_seq":7,"_time":"2026-01-01T00:00:00Z","_source":{"input":"in","path":"-","offset":0},"category":"own"}`, `,"category":"own"}`},
		{`{"_id":"a","_seq":7,"_time":"2026-01-01T00:00:00Z","_source":{"input":"in","path":"-","offset":0}}`, `}`},
		{`{"_id":"a","_seq":x,"_time":"t","_source":{"input":"in","path":"-","offset":0},"k":1}`, ``}, // not an envelope: all of it
		{`{"businessKey":"b"}`, ``},
		{`{"_id":"a","_seq":7,"businessKey":"b"}`, ``},
		{`{"_id":"a","_seq":7,"_time":"t","category":"c","_source":{"input":"in","path":"-"}}`, ``},
		{`{"_id":"a","_seq":7,"_time":"2026`, ``},
	} {
		got := c.line[headEnd([]byte(c.line)):]
		want := c.rest
		if want == "" {
			want = c.line
		}
		if got != want {
			t.Errorf("%s: rest %q, want %q", c.line, got, want)
		}
	}
	// an envelope key among the fields: the head is scanned
	r := build([]string{"category", "businessKey"}, line(1, `,"businessKey":"b"`))
	if diff := cmp.Diff([]string{"workflow"}, r.Field("category").Values); diff != "" {
		t.Errorf("category (-want +got):\n%s", diff)
	}
}
