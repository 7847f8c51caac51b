// Package azureblob is the `azure_blob` output: one block blob per batch in
// an Azure Storage container chosen per batch by a template, written
// create-only.
package azureblob

import (
	_ "embed"
	"fmt"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "azure_blob"` block, shown in the docs and
// checked by the tests.
//
//go:embed example.hcl
var Example string

type factory struct{}

// NewFactory returns the factory of the `azure_blob` output.
func NewFactory() outputs.Factory { return factory{} }

func (factory) Type() string { return "azure_blob" }

func (factory) NewConfig() any { return newConfig() }

func (factory) BatchDefaults() outputs.BatchConfig {
	return outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 64 << 20, Interval: 4 * time.Hour}
}

func (factory) Create(s outputs.Settings, cfg any) (outputs.Output, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("azure_blob output: config is %T, not *azureblob.Config", cfg)
	}
	return newOutput(s, c)
}
