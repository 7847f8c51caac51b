package expr

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
)

func TestMatch(t *testing.T) {
	order := jsonEvent("workflow",
		"workflowDefinitionId", `"orders"`,
		"identity", `"svc-billing"`,
		"variables", `{"amount":2500,"tags":["a","b"],"nested":{"ok":true}}`,
		"type", `"approval"`,
	)
	bare := jsonEvent("timer", "jobId", `"j1"`)
	plain := &event.Event{Category: "workflow", Format: event.FormatPlain, Fields: []event.Field{
		{Key: []byte("variables"), Value: []byte("{amount=2500}"), Kind: event.KindString},
		{Key: []byte("workflowInstanceState"), Value: []byte("1"), Kind: event.KindNumber},
	}}
	added := jsonEvent("workflow", "environment", `"src"`)
	added.Added = []event.Field{{Key: []byte("environment"), Value: []byte("prod"), Kind: event.KindString}}
	tests := []struct {
		name, src string
		e         *event.Event
		want      bool
		err       string
	}{
		{"equal", "workflowDefinitionId == 'orders'", order, true, ""},
		{"category in", "category in ['workflow','timer'] && workflowDefinitionId == 'orders'", order, true, ""},
		{"matches", "identity matches '^svc-'", order, true, ""},
		{"optional", "variables?.amount > 1000", order, true, ""},
		{"member", "variables.amount > 1000", order, true, ""},
		{"deep", "variables.nested.ok", order, true, ""},
		{"index", "variables.tags[1] == 'b'", order, true, ""},
		{"negative index", "variables.tags[-1] == 'b'", order, true, ""},
		{"bracket", "variables['amount'] == 2500", order, true, ""},
		{"dynamic key", "variables[type == 'approval' ? 'amount' : 'x'] == 2500", order, true, ""},
		{"builtin name is a field", "type == 'approval'", order, true, ""},
		{"builtin call", "len(variables.tags) == 2 && upper(type) == 'APPROVAL'", order, true, ""},
		{"closure", "any(variables.tags, # == 'a' && type == 'approval')", order, true, ""},
		{"in array", "'b' in variables.tags && !('z' in variables.tags)", order, true, ""},
		{"builtin type", "type(variables) == 'map' && type(variables.amount) == 'float'", order, true, ""},
		{"startsWith", "identity startsWith 'svc-' && identity contains 'bill'", order, true, ""},
		{"let", "let v = variables; v.amount > 1000", order, true, ""},
		{"env", "$env.workflowDefinitionId == 'orders'", order, true, ""},
		{"missing optional is nil", "variables?.amount == nil", bare, true, ""},
		{"missing member is nil", "variables.amount == nil", bare, true, ""},
		{"missing deep is nil", "variables.a.b.c == nil && variables[type] == nil", bare, true, ""},
		{"missing compared", "variables?.amount > 1000", bare, false, "invalid operation: <nil> > int (column 19)"},
		{"nil compared", "variables.amount > 1000", bare, false, "invalid operation: <nil> > int (column 18)"},
		{"plain nested is missing", "variables.amount == nil", plain, true, ""},
		{"plain string", "variables contains 'amount=2500'", plain, true, ""},
		{"plain number", "workflowInstanceState == 1", plain, true, ""},
		{"added wins", "environment == 'prod'", added, true, ""},
		{"nil result is false", "variables?.approved", bare, false, ""},
		{"string result", "jobId", bare, false, "invalid operation: bool(string) (column 1)"},
		{"false", "category == 'workflow'", bare, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Match(tt.e)
			if got != tt.want || errText(err) != tt.err {
				t.Errorf("Match = %v, %q; want %v, %q", got, errText(err), tt.want, tt.err)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"workflowDefinitionId ==", "unexpected token EOF (column 23)"},
		{"a &&\n b ==", "unexpected token EOF (line 2, column 5)"},
		{"1 + 2", "expected bool, but got int"},
		{"nosuch(1)", "unknown function nosuch (column 1)"},
		{"identity matches '('", "error parsing regexp: missing closing ): `(` (column 10)"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.src)
		if got := errText(err); got != tt.want {
			t.Errorf("Compile(%q) = %q; want %q", tt.src, got, tt.want)
		}
		if strings.ContainsAny(errText(err), "\n\x1b") {
			t.Errorf("Compile(%q): error is not one plain line", tt.src)
		}
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"category == 'timer'", []string{"category"}},
		{"variables.amount > 1 && variables?.tags[0] == 'a' || identity == nil", []string{"variables", "identity"}},
		{"let x = jobId; x == '1'", []string{"jobId"}},
		{"now() > date('2020-01-01')", []string{}},
		{"all(tags, {# != type})", []string{"tags", "type"}},
	}
	for _, tt := range tests {
		p, err := Compile(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, p.Fields()); diff != "" {
			t.Errorf("Fields(%q) (-want +got):\n%s", tt.src, diff)
		}
	}
}

// TestSamples runs expressions over real entries in both formats.
func TestSamples(t *testing.T) {
	evs := samples(t)
	tests := []struct {
		src  string
		want int
	}{
		{"category == 'timer'", 2},
		{"workflowDefinitionId == 'orders' && category == 'workflow_node'", 10},
		{"variables?.order?.total > 100", 4}, // json only: plain nested values are strings
		{"category == 'unparsed'", 1},
	}
	for _, tt := range tests {
		p, err := Compile(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			ok, err := p.Match(e)
			if err != nil && !strings.Contains(err.Error(), "<nil> > int") {
				t.Errorf("%q: %v", tt.src, err)
			}
			if ok {
				n++
			}
		}
		if n != tt.want {
			t.Errorf("%q matched %d events; want %d", tt.src, n, tt.want)
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
