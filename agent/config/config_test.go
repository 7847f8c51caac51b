package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/units"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/processors"
)

// Fake factories shaped like the real plugins: the loader only sees their
// configs.

type fileInConfig struct {
	Paths        []string `hcl:"paths"`
	Exclude      []string `hcl:"exclude,optional"`
	StartAt      string   `hcl:"start_at,optional"`
	ScanInterval string   `hcl:"scan_interval,optional"`
}

func (c *fileInConfig) Validate() error {
	var errs []error
	if c.StartAt != "beginning" && c.StartAt != "end" {
		errs = append(errs, component.Errorf("start_at", "must be beginning or end, not %q", c.StartAt))
	}
	if _, err := units.Duration(c.ScanInterval); err != nil {
		errs = append(errs, component.Errorf("scan_interval", "%v", err))
	}
	return errors.Join(errs...)
}

type stdinConfig struct{}

type inFactory struct {
	typ string
	cfg func() any
}

func (f inFactory) Type() string   { return f.typ }
func (f inFactory) NewConfig() any { return f.cfg() }
func (f inFactory) Create(inputs.Settings, any) (inputs.Input, error) {
	return nil, errors.New("fake")
}

type categoriesConfig struct {
	Include []string `hcl:"include,optional"`
	Exclude []string `hcl:"exclude,optional"`
}

type filterConfig struct {
	When string `hcl:"when"`
}

type setConfig struct {
	Fields map[string]string `hcl:"fields"`
}

type procFactory struct {
	typ string
	cfg func() any
}

func (f procFactory) Type() string   { return f.typ }
func (f procFactory) NewConfig() any { return f.cfg() }
func (f procFactory) Create(processors.Settings, any) (processors.Processor, error) {
	return nil, errors.New("fake")
}

type fileOutConfig struct {
	Path   string `hcl:"path"`
	Name   string `hcl:"name,optional"`
	Format string `hcl:"format,optional"`
}

func (c *fileOutConfig) KeySpace() (string, string) { return c.Path, c.Name }

func (c *fileOutConfig) Validate() error {
	if !strings.Contains(c.Name, "{{ batch_id }}") {
		return component.Errorf("name", "the template must contain {{ batch_id }}")
	}
	return nil
}

type stdoutConfig struct {
	Format string `hcl:"format,optional"`
}

func (c *stdoutConfig) Validate() error {
	if c.Format != "json" && c.Format != "plain" {
		return component.Errorf("format", "must be json or plain, not %q", c.Format)
	}
	return nil
}

type s3Config struct {
	Bucket string `hcl:"bucket"`
	Prefix string `hcl:"prefix,optional"`
	Key    string `hcl:"key,optional"`
}

func (c *s3Config) KeySpace() (string, string) { return c.Bucket + "/" + c.Prefix, c.Key }

type mysqlConfig struct {
	Host   string       `hcl:"host"`
	TLS    *tlsBlock    `hcl:"tls,block"`
	Tables []tableBlock `hcl:"table,block"`
}

type tlsBlock struct {
	CAFile   string `hcl:"ca_file,optional"`
	CertFile string `hcl:"cert_file,optional"`
}

type tableBlock struct {
	Name    string            `hcl:"name,label"`
	When    string            `hcl:"when,optional"`
	Columns map[string]string `hcl:"columns,optional"`
}

func (c *mysqlConfig) Validate() error {
	for _, t := range c.Tables {
		if len(t.Columns) == 0 {
			return component.Errorf("table.columns", "table %q has no columns", t.Name)
		}
	}
	return nil
}

type outFactory struct {
	typ   string
	cfg   func() any
	batch outputs.BatchConfig
}

func (f outFactory) Type() string                       { return f.typ }
func (f outFactory) NewConfig() any                     { return f.cfg() }
func (f outFactory) BatchDefaults() outputs.BatchConfig { return f.batch }
func (f outFactory) Create(outputs.Settings, any) (outputs.Output, error) {
	return nil, errors.New("fake")
}

func testRegistry() Registry {
	return Registry{
		Inputs: map[string]inputs.Factory{
			"file":  inFactory{"file", func() any { return &fileInConfig{StartAt: "end", ScanInterval: "1s"} }},
			"stdin": inFactory{"stdin", func() any { return &stdinConfig{} }},
		},
		Processors: map[string]processors.Factory{
			"categories": procFactory{"categories", func() any { return &categoriesConfig{} }},
			"filter":     procFactory{"filter", func() any { return &filterConfig{} }},
			"set":        procFactory{"set", func() any { return &setConfig{} }},
		},
		Outputs: map[string]outputs.Factory{
			"file": outFactory{"file", func() any {
				return &fileOutConfig{Name: "{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}", Format: "ndjson"}
			}, outputs.BatchConfig{Interval: time.Second, MaxBytes: 8 << 20}},
			"stdout": outFactory{"stdout", func() any { return &stdoutConfig{Format: "json"} },
				outputs.BatchConfig{MaxBytes: 1 << 20}},
			"s3": outFactory{"s3", func() any { return &s3Config{Key: "{{ pipeline }}_{{ batch_id }}"} },
				outputs.BatchConfig{MaxEvents: 100000, MaxBytes: 64 << 20, Interval: 4 * time.Hour}},
			"mysql": outFactory{"mysql", func() any { return &mysqlConfig{} },
				outputs.BatchConfig{MaxEvents: 1000, MaxBytes: 4 << 20, Interval: time.Second}},
		},
	}
}

// loadString loads src written as main.hcl in a temp dir, failing on any
// diagnostic.
func loadString(t *testing.T, src string) *Config {
	t.Helper()
	path := filepath.Join(t.TempDir(), "main.hcl")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(path, testRegistry())
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics:\n%v", diags)
	}
	return cfg
}
