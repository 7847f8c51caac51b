package file

import (
	_ "embed"
	"fmt"

	"github.com/auditship/auditship/inputs"
)

// Example is a commented `input "file"` block.
//
//go:embed example.hcl
var Example string

type factory struct{}

// NewFactory returns the factory of the `file` input.
func NewFactory() inputs.Factory { return factory{} }

func (factory) Type() string { return "file" }

func (factory) NewConfig() any { return NewConfig() }

func (factory) Create(s inputs.Settings, cfg any) (inputs.Input, error) {
	c, ok := cfg.(*Config)
	if !ok {
		return nil, fmt.Errorf("file input: config is %T", cfg)
	}
	return newInput(c, s)
}
