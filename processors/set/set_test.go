package set

import (
	"context"
	"testing"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/processors"
)

func added(e *event.Event) map[string]string {
	m := map[string]string{}
	for _, f := range e.Added {
		if _, dup := m[string(f.Key)]; dup {
			m[string(f.Key)] = "DUPLICATE"
			continue
		}
		m[string(f.Key)] = string(f.Value)
	}
	return m
}

func TestProcess(t *testing.T) {
	prior := []event.Field{{Key: []byte("environment"), Value: []byte("dev"), Kind: event.KindString},
		{Key: []byte("team"), Value: []byte("billing"), Kind: event.KindString}}
	tests := []struct {
		name  string
		added []event.Field
		want  map[string]string
	}{
		{"adds", nil, map[string]string{"environment": "prod", "cluster": "eu"}},
		{"replaces", prior, map[string]string{"environment": "prod", "cluster": "eu", "team": "billing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := NewFactory().Create(processors.Settings{}, &Config{Fields: map[string]string{"environment": "prod", "cluster": "eu"}})
			if err != nil {
				t.Fatal(err)
			}
			e := &event.Event{Added: append([]event.Field(nil), tt.added...)}
			out, err := pr.Process(context.Background(), []*event.Event{e, {}})
			if err != nil || len(out) != 2 {
				t.Fatalf("Process = %d events, %v", len(out), err)
			}
			if diff := cmp.Diff(tt.want, added(e)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got := value(t, pr.(*Processor).modified); got != 2 {
				t.Errorf("modified = %v; want 2", got)
			}
		})
	}
}

// TestRender checks the added keys come after the source's, sorted, as
// JSON strings, and win over a source key of the same name.
func TestRender(t *testing.T) {
	raw := []byte(`{"a":1,"environment":"src"}`)
	e := &event.Event{Raw: raw, Body: raw, Format: event.FormatJSON, Category: "other", OwnCategory: false,
		Fields: []event.Field{{Key: raw[2:3], Value: raw[5:6]}, {Key: raw[8:19], Value: raw[21:26]}},
		ID:     "x", TimeText: "2024-05-13T08:00:01Z", Source: event.Source{Input: "in", Path: "-"}}
	pr, _ := NewFactory().Create(processors.Settings{}, &Config{Fields: map[string]string{"environment": "prod", "b": `q"1`}})
	if _, err := pr.Process(context.Background(), []*event.Event{e}); err != nil {
		t.Fatal(err)
	}
	want := `{"_id":"x","_seq":0,"_time":"2024-05-13T08:00:01Z","category":"other","_source":{"input":"in","path":"-","offset":0},` +
		`"a":1,"b":"q\"1","environment":"prod"}`
	if got := string(e.AppendJSON(nil)); got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		fields map[string]string
		want   []string
	}{
		{"ok", map[string]string{"environment": "prod"}, nil},
		{"empty", nil, []string{"fields: must set at least one key"}},
		{"reserved", map[string]string{"_id": "1", "category": "x", "ok": "y"}, []string{
			`fields: key "_id" is reserved: ` + reservedWhy,
			`fields: key "category" is reserved: ` + reservedWhy,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range component.AttrErrors((&Config{Fields: tt.fields}).Validate()) {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetricsRegistered(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	if _, err := NewFactory().Create(processors.Settings{Registerer: reg}, &Config{Fields: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 1 || mfs[0].GetName() != "auditship_processor_modified_events_total" {
		t.Errorf("gathered %v, %v", mfs, err)
	}
}

func TestExample(t *testing.T) {
	cfg := NewFactory().NewConfig()
	plugintest.DecodeExample(t, Example, "processor", "set", cfg)
	if diff := cmp.Diff(map[string]string{"environment": "prod", "cluster": "eu-central-1"}, cfg.(*Config).Fields); diff != "" {
		t.Errorf("decoded (-want +got):\n%s", diff)
	}
}

func BenchmarkProcess(b *testing.B) {
	pr, _ := NewFactory().Create(processors.Settings{}, &Config{Fields: map[string]string{"environment": "prod", "cluster": "eu"}})
	evs := make([]*event.Event, 1000)
	for i := range evs {
		evs[i] = &event.Event{}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, e := range evs {
			e.Added = e.Added[:0] // as the decoder resets a reused event
		}
		_, _ = pr.Process(context.Background(), evs)
	}
}

func value(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}
