package expr

import (
	"fmt"
	"testing"
)

// TestCompareRewrite checks that comparisons with string constants, which
// compile to eqFn, give what expr's own operator gives: the reference
// builds its constant with `+ ”`, which keeps the operator.
func TestCompareRewrite(t *testing.T) {
	evs := samples(t)
	fields := []string{"workflowDefinitionId", "category", "nodeName", "workflowInstanceState",
		"variables.order.total", "variables?.order?.id", "missing", "_time_source", "message"}
	consts := []string{"orders", "workflow_node", "1", "", "ingest", "Workflow instance created"}
	var srcs [][2]string
	for _, f := range fields {
		for _, c := range consts {
			srcs = append(srcs,
				[2]string{fmt.Sprintf("%s == %q", f, c), fmt.Sprintf("%s == %q + ''", f, c)},
				[2]string{fmt.Sprintf("%q != %s", c, f), fmt.Sprintf("%q + '' != %s", c, f)})
		}
	}
	for _, s := range srcs {
		fast, ref := compile(t, s[0]), compile(t, s[1])
		for i, e := range evs {
			got, err1 := fast.Match(e)
			want, err2 := ref.Match(e)
			if got != want || errText(err1) != errText(err2) {
				t.Errorf("event %d: %s = %v, %v; %s = %v, %v", i, s[0], got, err1, s[1], want, err2)
			}
		}
	}
}

func TestCompareAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	p := compile(t, "category == 'workflow_node' && workflowDefinitionId == 'orders'")
	evs := samples(t)
	n := testing.AllocsPerRun(50, func() {
		for _, e := range evs {
			_, _ = p.Match(e)
		}
	})
	if perEvent := n / float64(len(evs)); perEvent > 1 {
		t.Errorf("%.1f allocations per event, want at most 1 (expr's argument buffer)", perEvent)
	}
}

func compile(t *testing.T, src string) *Program {
	t.Helper()
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return p
}
