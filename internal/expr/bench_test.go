package expr

import (
	"sync"
	"testing"

	"github.com/auditship/auditship/internal/event"
)

// thousand repeats the samples to 1000 events.
func thousand(b testing.TB) []*event.Event {
	s := samples(b)
	out := make([]*event.Event, 1000)
	for i := range out {
		out[i] = s[i%len(s)]
	}
	return out
}

func BenchmarkMatch(b *testing.B) {
	for _, src := range []string{
		"workflowDefinitionId == 'orders'",
		"category in ['workflow','workflow_node'] && workflowDefinitionId == 'orders'",
		"variables?.order?.total > 100 ?? false",
		"identity matches '^jo'",
	} {
		b.Run(src, func(b *testing.B) {
			p, err := Compile(src)
			if err != nil {
				b.Fatal(err)
			}
			evs := thousand(b)
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range evs {
					_, _ = p.Match(e)
				}
			}
		})
	}
}

func TestMatchConcurrent(t *testing.T) {
	p, err := Compile("workflowDefinitionId == 'orders'")
	if err != nil {
		t.Fatal(err)
	}
	evs := samples(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, e := range evs {
				if _, err := p.Match(e); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
