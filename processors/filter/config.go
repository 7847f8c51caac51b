package filter

import (
	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/expr"
)

// Config is the body of a `processor "filter" "NAME"` block.
type Config struct {
	When string `hcl:"when"` // events matching it are kept
}

// Validate compiles the expression.
func (c *Config) Validate() error {
	if c.When == "" {
		return component.Errorf("when", "must not be empty")
	}
	if _, err := expr.Compile(c.When); err != nil {
		return component.Errorf("when", "%v", err)
	}
	return nil
}
