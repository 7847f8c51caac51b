// Package file is the `file` output: one file per batch under a directory,
// written create-only and durably (temp file, fsync, link, directory fsync).
package file

import (
	_ "embed"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "file"` block, shown in the docs and checked by
// the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `file` output.
func NewFactory() outputs.Factory {
	return outputs.NewFactory("file", newConfig,
		outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 8 << 20, Interval: time.Second},
		func(s outputs.Settings, c *Config) (outputs.Output, error) { return newOutput(s, c) })
}
