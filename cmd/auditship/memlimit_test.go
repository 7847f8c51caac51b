package main

import (
	"testing"

	"github.com/auditship/auditship/agent/config"
)

// TestMemoryLimitGrowsWithPipelines: the default soft memory limit is
// 40 MiB for one pipeline and grows with each enabled one past it, so
// that a hundred pipelines' live heap is not above it.
func TestMemoryLimitGrowsWithPipelines(t *testing.T) {
	cfg := func(enabled, disabled int) *config.Config {
		c := &config.Config{}
		for range enabled {
			c.Pipelines = append(c.Pipelines, &config.Pipeline{Enabled: true})
		}
		for range disabled {
			c.Pipelines = append(c.Pipelines, &config.Pipeline{})
		}
		return c
	}
	for _, tc := range []struct {
		enabled, disabled int
		want              int64
	}{
		{0, 0, 40 << 20},
		{1, 0, 40 << 20},
		{1, 5, 40 << 20},
		{2, 0, 40<<20 + 600<<10},
		{100, 3, 40<<20 + 99*600<<10},
	} {
		if got := memoryLimit(cfg(tc.enabled, tc.disabled)); got != tc.want {
			t.Errorf("%d enabled, %d disabled: limit %d, want %d", tc.enabled, tc.disabled, got, tc.want)
		}
	}
}
