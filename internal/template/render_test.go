package template

import (
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/event"
)

// jsonEvent builds an event with top-level JSON fields given as key, raw
// value pairs.
func jsonEvent(pairs ...string) *event.Event {
	e := &event.Event{Format: event.FormatJSON, Category: "workflow", ID: "abc123", Seq: 7}
	for i := 0; i+1 < len(pairs); i += 2 {
		e.Fields = append(e.Fields, event.Field{Key: []byte(pairs[i]), Value: []byte(pairs[i+1]), Kind: event.KindJSON})
	}
	return e
}

// upper stands in for a store's sanitiser.
func upper(s string) string { return strings.ToUpper(s) }

func TestRender(t *testing.T) {
	ev := jsonEvent(
		"workflowDefinitionId", `"orders"`,
		"workflowInstanceState", `2`,
		"variables", `{"customer":{"id":"c-42"},"tags":["x","y"]}`,
		"weird", `"a\u0000b"`,
	)
	berlin := time.FixedZone("CEST", 2*3600)
	vars := BatchVars{BatchID: "s1-00000000000000000042", FirstSeq: 42, Time: time.Date(2024, 5, 13, 1, 2, 3, 999, berlin)}
	tests := []struct {
		name, src, want string
	}{
		{"literal", "fixed", "fixed"},
		{"pipeline and output", "{{ pipeline }}-{{output}}", "orders-archive"},
		{"batch specials", "{{ batch_id }} {{ first_seq }}", "s1-00000000000000000042 00000000000000000042"},
		{"times in UTC", "{{ date }}T{{ hour }} {{ batch_time }}", "2024/05/12T23 20240512T230203Z"},
		{"field", "{{ workflowDefinitionId }}", "ORDERS"},
		{"number field", "{{ workflowInstanceState }}", "2"},
		{"dotted path", "{{ variables.customer.id }}", "C-42"},
		{"array index", "{{ variables.tags.1 }}", "Y"},
		{"object as JSON", "{{ variables.customer }}", `{"ID":"C-42"}`},
		{"missing", "{{ nope }}/{{ variables.nope }}/{{ workflowDefinitionId.x }}", "none/none/none"},
		{"envelope", "{{ category }}-{{ _id }}-{{ _seq }}", "WORKFLOW-ABC123-7"},
		{"NUL in a value", "{{ weird }}", "A_B"},
		{"default name", "{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}",
			"orders/2024/05/12/orders_20240512T230203Z_s1-00000000000000000042"},
		{"mixed", "{{ pipeline }}/{{ workflowDefinitionId }}/{{ hour }}/{{ output }}_{{ variables.customer.id }}_{{ batch_id }}",
			"orders/ORDERS/23/archive_C-42_s1-00000000000000000042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl, err := Parse(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got := tmpl.Render(tmpl.Partition(ev, "orders", "archive", upper), vars)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPartitionGroups(t *testing.T) {
	tmpl, _ := Parse("{{ a }}/{{ b }}_{{ batch_id }}")
	p := func(a, b string) string {
		return tmpl.Partition(jsonEvent("a", a, "b", b), "p", "o", nil)
	}
	if first, again := p(`"x"`, `"y"`), p(`"x"`, `"y"`); first != again {
		t.Error("equal fields give different partitions")
	}
	if p(`"x"`, `"y"`) == p(`"y"`, `"x"`) || p(`"x_"`, `"y"`) == p(`"x"`, `"_y"`) {
		t.Error("different fields give equal partitions")
	}
	noField, _ := Parse("{{ pipeline }}/{{ output }}/{{ batch_id }}")
	e := jsonEvent()
	if noField.Partition(e, "p1", "o", nil) == noField.Partition(e, "p2", "o", nil) {
		t.Error("pipelines p1 and p2 give equal partitions")
	}
}

func TestPartitionWithoutFieldsDoesNotAllocate(t *testing.T) {
	tmpl, _ := Parse("{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ output }}_{{ batch_id }}")
	e := jsonEvent("a", `"x"`)
	n := testing.AllocsPerRun(100, func() { tmpl.Partition(e, "orders", "archive", upper) })
	if n != 0 {
		t.Errorf("Partition: %v allocs, want 0", n)
	}
	if got := tmpl.Partition(e, "orders", "archive", nil); got != "orders\x00orders\x00archive" {
		t.Errorf("Partition = %q", got)
	}
}

func TestRenderForeignPartition(t *testing.T) {
	tmpl, _ := Parse("{{ a }}/{{ b }}/{{ batch_id }}")
	if got := tmpl.Render("only-a", BatchVars{BatchID: "id"}); got != "only-a/none/id" {
		t.Errorf("Render of a short partition = %q", got)
	}
}

func BenchmarkPartition(b *testing.B) {
	e := jsonEvent("timestamp", `"2024-05-13T08:00:01"`, "workflowDefinitionId", `"orders"`,
		"variables", `{"customer":{"id":"c-42"}}`, "message", `"Workflow instance created"`)
	for _, src := range []string{
		"{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}",
		"Hire2Retire_{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}",
		"{{ workflowDefinitionId }}/{{ variables.customer.id }}/{{ batch_id }}",
	} {
		tmpl, _ := Parse(src)
		name := strings.Join(tmpl.Fields(), "+")
		if name == "" {
			name = "no-fields"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tmpl.Partition(e, "orders", "archive", nil)
			}
		})
	}
}
