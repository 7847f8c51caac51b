package s3

import (
	"context"
	_ "embed"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "s3"` block, shown in the docs and checked by
// the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `s3` output. Creating it contacts
// nothing (credentials are resolved at the first request), so a store that
// is down does not stop the agent.
func NewFactory() outputs.Factory {
	return outputs.NewFactory("s3", newConfig,
		outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 64 << 20, Interval: 4 * time.Hour},
		func(s outputs.Settings, c *Config) (outputs.Output, error) {
			return newOutput(context.Background(), s, c)
		})
}
