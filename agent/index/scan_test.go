package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMembers(t *testing.T) {
	in := []byte(` { "a" : "x\"}\\" , "b":{"c":["]", {"d":"\\\""}],"e":1},"long string key over eight bytes":[1,2] ,"f":-1.5e3,"g":null}`)
	var got [][2]string
	m := newMembers(in)
	for {
		k, v, ok := m.next()
		if !ok {
			break
		}
		got = append(got, [2]string{string(k), string(v)})
	}
	want := [][2]string{
		{"a", `"x\"}\\"`},
		{"b", `{"c":["]", {"d":"\\\""}],"e":1}`},
		{"long string key over eight bytes", `[1,2]`},
		{"f", `-1.5e3`},
		{"g", `null`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
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
