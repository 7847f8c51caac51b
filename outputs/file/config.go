package file

import (
	"errors"
	"strings"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/template"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Config is the body of an `output "file" "NAME"` block.
type Config struct {
	Path        string `hcl:"path"`                 // directory the files go under
	Name        string `hcl:"name,optional"`        // file name template, relative to Path
	Format      string `hcl:"format,optional"`      // ndjson | json_array
	Compression string `hcl:"compression,optional"` // none | gzip | zstd
}

func newConfig() *Config {
	return &Config{
		Name:        objectstore.DefaultName,
		Format:      objectstore.FormatNDJSON,
		Compression: objectstore.CompressionNone,
	}
}

// Validate reports every problem with the attributes.
func (c *Config) Validate() error {
	_, _, err := c.parse()
	return err
}

func (c *Config) parse() (objectstore.Codec, *template.Template, error) {
	var errs []error
	if strings.TrimSpace(c.Path) == "" {
		errs = append(errs, component.Errorf("path", "must name a directory"))
	}
	codec, tmpl, err := objectstore.Parse(c.Format, c.Compression, "name", c.Name)
	errs = append(errs, err)
	if err == nil {
		errs = append(errs, checkRelative(c.Name))
	}
	return codec, tmpl, errors.Join(errs...)
}

// checkRelative refuses names that would leave Path through the
// template's own text (field values are sanitised when rendered).
func checkRelative(name string) error {
	if strings.HasPrefix(name, "/") {
		return component.Errorf("name", "must be relative to path, not start with \"/\"")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return component.Errorf("name", "must not contain \"..\"")
		}
	}
	return nil
}

// KeySpace tells validate where this output writes, to reject two outputs
// whose file names can collide.
func (c *Config) KeySpace() (dest, template string) { return c.Path, c.Name }
