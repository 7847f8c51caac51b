package stdout

import "github.com/auditship/auditship/internal/component"

// Formats of the stdout output.
const (
	FormatJSON  = "json"  // the SPEC §4 envelope, one per line
	FormatPlain = "plain" // the record as read
)

// Config is the body of an `output "stdout" "NAME"` block.
type Config struct {
	Format string `hcl:"format,optional"`
}

// Validate reports a bad format.
func (c *Config) Validate() error {
	if c.Format != FormatJSON && c.Format != FormatPlain {
		return component.Errorf("format", "must be %q or %q, not %q", FormatJSON, FormatPlain, c.Format)
	}
	return nil
}
