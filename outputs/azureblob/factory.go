// Package azureblob is the `azure_blob` output: one block blob per batch in
// an Azure Storage container chosen per batch by a template, written
// create-only.
package azureblob

import (
	_ "embed"
	"time"

	"github.com/auditship/auditship/outputs"
)

// Example is a sample `output "azure_blob"` block, shown in the docs and
// checked by the tests.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `azure_blob` output.
func NewFactory() outputs.Factory {
	return outputs.NewFactory("azure_blob", newConfig,
		outputs.BatchConfig{MaxEvents: 100_000, MaxBytes: 64 << 20, Interval: 4 * time.Hour},
		func(s outputs.Settings, c *Config) (outputs.Output, error) { return newOutput(s, c) })
}
