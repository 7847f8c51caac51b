package filter

import (
	"bufio"
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/internal/event"
)

// samples decodes testdata/sample.log: 13 json entries, the same 13 in
// plain, one unparsed line.
func samples(t testing.TB) []*event.Event {
	t.Helper()
	b, err := os.ReadFile("testdata/sample.log")
	if err != nil {
		t.Fatal(err)
	}
	d := format.NewDecoder(format.Options{Format: "auto", Input: "in"})
	var out []*event.Event
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		e := new(event.Event)
		line := append([]byte(nil), sc.Bytes()...)
		d.Decode(e, line, event.Source{Path: "-"}, make([]byte, 32), format.Flags{}, time.Unix(0, 0))
		out = append(out, e)
	}
	return out
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
