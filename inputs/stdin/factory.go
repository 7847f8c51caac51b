package stdin

import (
	_ "embed"
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

// NewFactory returns the factory of the `stdin` input.
func NewFactory() inputs.Factory {
	return inputs.NewFactory("stdin", NewConfig, func(s inputs.Settings, _ *Config) (inputs.Input, error) {
		growPipe(os.Stdin)
		return newInput(os.Stdin, s)
	})
}
