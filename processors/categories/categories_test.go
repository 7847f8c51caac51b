package categories

import (
	"context"
	"strings"
	"testing"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

func events(cats ...string) []*event.Event {
	out := make([]*event.Event, len(cats))
	for i, c := range cats {
		out[i] = &event.Event{Category: c}
	}
	return out
}

func cats(evs []*event.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Category
	}
	return out
}

func TestProcess(t *testing.T) {
	all := []string{"workflow", "timer", "workflow_node", "unparsed", "k8s", "workflow"}
	tests := []struct {
		name             string
		include, exclude []string
		want             []string
	}{
		{"no lists keeps all", nil, nil, all},
		{"include", []string{"workflow", "timer"}, nil, []string{"workflow", "timer", "workflow"}},
		{"exclude", nil, []string{"unparsed", "timer"}, []string{"workflow", "workflow_node", "k8s", "workflow"}},
		{"exclude wins", []string{"workflow", "timer"}, []string{"timer"}, []string{"workflow", "workflow"}},
		{"own category passes without include", nil, []string{"workflow"}, []string{"timer", "workflow_node", "unparsed", "k8s"}},
		{"exclude all", nil, Known, []string{"k8s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			pr, err := NewFactory().Create(processors.Settings{Registerer: reg}, &Config{Include: tt.include, Exclude: tt.exclude})
			if err != nil {
				t.Fatal(err)
			}
			in := events(all...)
			out, err := pr.Process(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, cats(out)); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if len(out) > 0 && &out[0] != &in[0] {
				t.Error("out does not reuse in")
			}
			dropped := cats(in[len(out):])
			if len(dropped)+len(out) != len(all) {
				t.Errorf("dropped events lost: %v", dropped)
			}
			if got := value(t, pr.(*Processor).dropped); got != float64(len(dropped)) {
				t.Errorf("dropped counter = %v; want %d", got, len(dropped))
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{Include: []string{"workflow"}, Exclude: Known}, nil},
		{"typo", Config{Include: []string{"workflow_nodes"}},
			[]string{`include: unknown category "workflow_nodes"; did you mean "workflow_node"?`}},
		{"far off", Config{Exclude: []string{"x"}},
			[]string{`exclude: unknown category "x"; known: ` + strings.Join(Known, ", ")}},
		{"all reported", Config{Include: []string{"timers"}, Exclude: []string{"unparse"}}, []string{
			`include: unknown category "timers"; did you mean "timer"?`,
			`exclude: unknown category "unparse"; did you mean "unparsed"?`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range component.AttrErrors(tt.cfg.Validate()) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNilRegisterer(t *testing.T) {
	pr, err := NewFactory().Create(processors.Settings{}, NewFactory().NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pr.Process(context.Background(), events("timer")); err != nil {
		t.Fatal(err)
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "processor", "categories", NewFactory().NewConfig())
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
