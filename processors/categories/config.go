package categories

import (
	"errors"
	"fmt"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/entry"
)

// Known lists the categories the inputs assign (FORMATS.md rule 4).
var Known = entry.Categories

// Config is the body of a `processor "categories" "NAME"` block.
type Config struct {
	Include []string `hcl:"include,optional"` // empty: every category
	Exclude []string `hcl:"exclude,optional"` // wins over include
}

// Validate reports unknown category names, with a suggestion.
func (c *Config) Validate() error {
	return errors.Join(checkNames("include", c.Include), checkNames("exclude", c.Exclude))
}

func checkNames(attr string, names []string) error {
	var errs []error
	for _, n := range names {
		if !known(n) {
			errs = append(errs, component.Errorf(attr, "unknown category %q%s", n, hint(n)))
		}
	}
	return errors.Join(errs...)
}

func known(name string) bool {
	for _, k := range Known {
		if k == name {
			return true
		}
	}
	return false
}

// hint suggests the closest known name, or lists them all.
func hint(name string) string {
	best, bestDist := "", 4
	for _, k := range Known {
		if d := levenshtein.Distance(name, k, nil); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return "; known: " + strings.Join(Known, ", ")
}
