package filter

import (
	"context"
	"strings"
	"testing"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

func newFilter(t testing.TB, when string, reg prometheus.Registerer) *Processor {
	t.Helper()
	pr, err := NewFactory().Create(processors.Settings{Registerer: reg}, &Config{When: when})
	if err != nil {
		t.Fatal(err)
	}
	return pr.(*Processor)
}

func TestProcess(t *testing.T) {
	tests := []struct {
		when          string
		kept, flagged int
	}{
		{"category == 'timer'", 2, 0},
		{"category in ['workflow', 'workflow_node'] && workflowDefinitionId == 'orders'", 12, 0},
		{"identity matches '^jo'", 20, 0},
		{"variables?.order?.total > 100", 4 + 18, 18},          // nil > 100: no variables (4), plain (13), unparsed
		{"variables.order.total > 100", 4 + 18, 18},            // the same: member access is optional
		{"(variables?.order?.total ?? 0) > 100", 4, 0},         // the way to write it
		{"variables?.order?.total > 100 ?? false", 4 + 18, 18}, // ?? binds tighter than >
		{"category != 'unparsed' && variables == nil", 8, 0},   // no variables: timers, persistence
		{"workflowInstanceState == 1", 20, 0},                  // json number and plain number alike
		{"workflowDefinitionId == 'nope' || message == 'Scheduled repeatable timer job that creates new workflow instances'", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.when, func(t *testing.T) {
			p := newFilter(t, tt.when, nil)
			in := samples(t)
			out, err := p.Process(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			flagged := 0
			for _, e := range out {
				if _, ok := e.Get("_expr_error"); ok {
					flagged++
				}
			}
			if len(out) != tt.kept || flagged != tt.flagged {
				t.Errorf("kept %d, flagged %d; want %d, %d", len(out), flagged, tt.kept, tt.flagged)
			}
			if value(t, p.m.dropped) != float64(len(in)-len(out)) || value(t, p.m.exprErrors) != float64(flagged) {
				t.Errorf("counters: dropped %v, errors %v", value(t, p.m.dropped), value(t, p.m.exprErrors))
			}
		})
	}
}

// TestKeepsOrder checks that kept events stay in order and that the dropped
// ones are all behind them.
func TestKeepsOrder(t *testing.T) {
	p := newFilter(t, "_id in ['a', 'c', 'e']", nil)
	var in []*event.Event
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		in = append(in, &event.Event{ID: id})
	}
	out, _ := p.Process(context.Background(), in)
	if diff := cmp.Diff([]string{"a", "c", "e"}, ids(out)); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if got := ids(in[len(out):]); len(got) != 2 || !strings.Contains("bd db", strings.Join(got, "")) {
		t.Errorf("dropped = %v; want b and d", got)
	}
}

func ids(evs []*event.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.ID)
	}
	return out
}

func TestFlag(t *testing.T) {
	e := &event.Event{Category: "timer", ID: "x", TimeText: "2024-05-13T08:00:01Z", Source: event.Source{Input: "in", Path: "-"}}
	for _, when := range []string{"variables.amount > 1000", "jobId < 3"} {
		if out, _ := newFilter(t, when, nil).Process(context.Background(), []*event.Event{e}); len(out) != 1 {
			t.Fatalf("%q dropped the event", when)
		}
	}
	want := `{"_id":"x","_seq":0,"_time":"2024-05-13T08:00:01Z","category":"timer","_source":{"input":"in","path":"-","offset":0},` +
		`"_expr_error":"invalid operation: <nil> < int (column 7)"}`
	if got := string(e.AppendJSON(nil)); got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
}

func TestMetricsRegistered(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	newFilter(t, "true", prometheus.WrapRegistererWith(prometheus.Labels{"pipeline": "p", "processor": "f"}, reg))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	want := []string{"auditship_processor_dropped_events_total", "auditship_processor_expr_errors_total"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct{ when, want string }{
		{"category == 'timer'", ""},
		{"", "when: must not be empty"},
		{"category ==", "when: unexpected token EOF (column 11)"},
		{"1 + 1", "when: expected bool, but got int"},
	}
	for _, tt := range tests {
		c := &Config{When: tt.when}
		got := ""
		if err := c.Validate(); err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("Validate(%q) = %q; want %q", tt.when, got, tt.want)
		}
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "processor", "filter", NewFactory().NewConfig())
}

func BenchmarkProcess(b *testing.B) {
	s := samples(b)
	evs := make([]*event.Event, 1000)
	for i := range evs {
		evs[i] = s[i%len(s)]
	}
	in := make([]*event.Event, len(evs))
	for _, when := range []string{
		"category in ['workflow', 'workflow_node'] && workflowDefinitionId == 'orders'",
		"(variables?.order?.total ?? 0) > 100",
	} {
		b.Run(when, func(b *testing.B) {
			p := newFilter(b, when, nil)
			b.ReportAllocs()
			for b.Loop() {
				copy(in, evs)
				_, _ = p.Process(context.Background(), in)
			}
		})
	}
}
