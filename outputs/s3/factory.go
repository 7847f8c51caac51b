package s3

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "s3"` block, shown in the docs and checked by
// the tests.
//
//go:embed example.hcl
var Example string

type factory struct{}

// NewFactory returns the factory of the `s3` output.
func NewFactory() outputs.Factory { return factory{} }

func (factory) Type() string { return "s3" }

func (factory) NewConfig() any { return newConfig() }

func (factory) BatchDefaults() outputs.BatchConfig {
	return outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 64 << 20, Interval: 4 * time.Hour}
}

// Create builds the client; it contacts nothing (credentials are resolved
// at the first request), so a store that is down does not stop the agent.
func (factory) Create(s outputs.Settings, cfg any) (outputs.Output, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("s3 output: config is %T, not *s3.Config", cfg)
	}
	return newOutput(context.Background(), s, c)
}
