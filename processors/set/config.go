package set

import (
	"errors"
	"slices"
	"strings"

	"github.com/auditship/auditship/internal/component"
)

// Config is the body of a `processor "set" "NAME"` block.
type Config struct {
	Fields map[string]string `hcl:"fields"` // key = value, added to every event
}

// Validate rejects an empty map and keys the agent owns.
func (c *Config) Validate() error {
	if len(c.Fields) == 0 {
		return component.Errorf("fields", "must set at least one key")
	}
	var errs []error
	for _, k := range sortedKeys(c.Fields) {
		if k == "" || k == "category" || strings.HasPrefix(k, "_") {
			errs = append(errs, component.Errorf("fields", "key %q is reserved: %s", k, reservedWhy))
		}
	}
	return errors.Join(errs...)
}

const reservedWhy = `"category", names starting with "_" and the empty name belong to the agent`

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
