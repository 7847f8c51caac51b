package entry

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

func TestScanEnvelope(t *testing.T) {
	tests := []struct {
		env  string
		ok   bool
		keys []string
	}{
		{`{"_id":"a","_seq":1,"_source":{"offset":0},"x":[1,{"y":2}]}`, true, []string{"_id", "_seq", "_source", "x"}},
		{` {} `, true, nil},
		{`{"_id":"a",}`, false, []string{"_id"}},
		{`{"_id":"a"} x`, false, []string{"_id"}},
	}
	for _, tc := range tests {
		e := &event.Event{Envelope: []byte(tc.env), Fields: []event.Field{{Key: []byte("stale")}}}
		if ok := ScanEnvelope(e); ok != tc.ok {
			t.Errorf("%s: ok %v, want %v", tc.env, ok, tc.ok)
		}
		var keys []string
		for _, f := range e.Fields {
			keys = append(keys, string(f.Key))
		}
		if diff := cmp.Diff(tc.keys, keys); diff != "" || e.Format != event.FormatJSON {
			t.Errorf("%s: format %d, keys (-want +got):\n%s", tc.env, e.Format, diff)
		}
	}
}
