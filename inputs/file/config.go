package file

import (
	"errors"
	"path/filepath"
	"time"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/units"
)

// Config holds the attributes of an `input "file"` block that are the file
// input's own; format, timezone, multiline and friends are common to every
// input and come in through inputs.Settings.
type Config struct {
	Paths        []string `hcl:"paths"`
	Exclude      []string `hcl:"exclude,optional"`
	StartAt      string   `hcl:"start_at,optional"`
	ScanInterval string   `hcl:"scan_interval,optional"`
	MaxOpenFiles int      `hcl:"max_open_files,optional"`
}

// NewConfig returns the defaults.
func NewConfig() *Config {
	return &Config{
		Exclude:      []string{"*.gz", "*.zst", "*.bz2", "*.xz"},
		StartAt:      "beginning",
		ScanInterval: "1s",
		MaxOpenFiles: 1024,
	}
}

// Validate checks every attribute and reports all problems at once.
func (c *Config) Validate() error {
	var errs []error
	if len(c.Paths) == 0 {
		errs = append(errs, component.Errorf("paths", "at least one glob is required"))
	}
	errs = append(errs, checkGlobs("paths", c.Paths), checkGlobs("exclude", c.Exclude))
	if c.StartAt != "beginning" && c.StartAt != "end" {
		errs = append(errs, component.Errorf("start_at", "must be \"beginning\" or \"end\", not %q", c.StartAt))
	}
	if d, err := units.Duration(c.ScanInterval); err != nil {
		errs = append(errs, component.Errorf("scan_interval", "%v", err))
	} else if d <= 0 {
		errs = append(errs, component.Errorf("scan_interval", "must be positive"))
	}
	if c.MaxOpenFiles < 1 {
		errs = append(errs, component.Errorf("max_open_files", "must be at least 1, not %d", c.MaxOpenFiles))
	}
	return errors.Join(errs...)
}

func checkGlobs(attr string, globs []string) error {
	var errs []error
	for _, g := range globs {
		if _, err := filepath.Match(g, ""); err != nil || g == "" {
			errs = append(errs, component.Errorf(attr, "invalid glob %q", g))
		}
	}
	return errors.Join(errs...)
}

// scanInterval is the parsed scan_interval; Validate has checked it.
func (c *Config) scanInterval() time.Duration {
	d, err := units.Duration(c.ScanInterval)
	if err != nil || d <= 0 {
		return time.Second
	}
	return d
}
