package stdin

import (
	_ "embed"
	"fmt"
	"os"

	"github.com/auditship/auditship/inputs"
)

// Example is a commented `input "stdin"` block.
//
//go:embed example.hcl
var Example string

// Config is empty: stdin has only the attributes common to every input
// (format, timezone, strip_prefix, id_fields, multiline, max_line_bytes).
type Config struct{}

// NewConfig returns the defaults.
func NewConfig() *Config { return &Config{} }

// Validate has nothing to check.
func (c *Config) Validate() error { return nil }

type factory struct{}

// NewFactory returns the factory of the `stdin` input.
func NewFactory() inputs.Factory { return factory{} }

func (factory) Type() string { return "stdin" }

func (factory) NewConfig() any { return NewConfig() }

func (factory) Create(s inputs.Settings, cfg any) (inputs.Input, error) {
	if _, ok := cfg.(*Config); !ok {
		return nil, fmt.Errorf("stdin input: config is %T", cfg)
	}
	growPipe(os.Stdin)
	return newInput(os.Stdin, s)
}
