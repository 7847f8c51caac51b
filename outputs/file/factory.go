// Package file is the `file` output: one file per batch under a directory,
// written create-only and durably (temp file, fsync, link, directory fsync).
package file

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "file"` block, shown in the docs and checked by
// the tests.
//
//go:embed example.hcl
var Example string

type factory struct{}

// NewFactory returns the factory of the `file` output.
func NewFactory() outputs.Factory { return factory{} }

func (factory) Type() string { return "file" }

func (factory) NewConfig() any { return newConfig() }

func (factory) BatchDefaults() outputs.BatchConfig {
	return outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 8 << 20, Interval: time.Second}
}

func (factory) Create(s outputs.Settings, cfg any) (outputs.Output, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("file output: config is %T, not *file.Config", cfg)
	}
	return newOutput(s, c)
}
