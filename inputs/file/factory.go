package file

import (
	_ "embed"

	"github.com/auditship/auditship/inputs"
)

// Example is a commented `input "file"` block.
//
//go:embed example.hcl
var Example string

// NewFactory returns the factory of the `file` input.
func NewFactory() inputs.Factory {
	return inputs.NewFactory("file", NewConfig,
		func(s inputs.Settings, c *Config) (inputs.Input, error) { return newInput(c, s) })
}
