package mysql

import (
	_ "embed"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "mysql"` block, shown in the docs and checked
// by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `mysql` output. Creating it
// contacts nothing: a database that is down does not stop the agent.
func NewFactory() outputs.Factory {
	return outputs.NewFactory("mysql", newConfig,
		outputs.BatchConfig{MaxEvents: 1000, MaxBytes: 4 << 20, Interval: time.Second},
		func(s outputs.Settings, c *Config) (outputs.Output, error) { return newOutput(s, c) })
}
