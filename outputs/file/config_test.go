package file

import (
	"testing"
	"time"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/outputs"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Config)
		wantAttrs []string
	}{
		{"defaults", func(c *Config) {}, nil},
		{"no path", func(c *Config) { c.Path = "" }, []string{"path"}},
		{"no batch_id", func(c *Config) { c.Name = "{{ pipeline }}/{{ date }}" }, []string{"name"}},
		{"bad template", func(c *Config) { c.Name = "{{ pipeline }/{{ batch_id }}" }, []string{"name"}},
		{"absolute name", func(c *Config) { c.Name = "/x/{{ batch_id }}" }, []string{"name"}},
		{"climbing name", func(c *Config) { c.Name = "a/../../{{ batch_id }}" }, []string{"name"}},
		{"climbing back", func(c *Config) { c.Name = "{{ flow }}/../{{ batch_id }}" }, []string{"name"}},
		{"dots inside a name", func(c *Config) { c.Name = "a..b/{{ batch_id }}..x" }, nil},
		{"all at once", func(c *Config) { c.Path, c.Format, c.Compression = "", "csv", "lz4" },
			[]string{"path", "format", "compression"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewFactory().NewConfig().(*Config)
			c.Path = "/tmp/store"
			tt.edit(c)
			var got []string
			for _, ae := range component.AttrErrors(c.Validate()) {
				got = append(got, ae.Attr)
			}
			if diff := cmp.Diff(tt.wantAttrs, got); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "output", "file", NewFactory().NewConfig())
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	want := outputs.BatchConfig{MaxEvents: 100000, MaxBytes: 8 << 20, Interval: time.Second}
	if f.Type() != "file" || f.BatchDefaults() != want {
		t.Errorf("Type %q, BatchDefaults %+v", f.Type(), f.BatchDefaults())
	}
	c := f.NewConfig().(*Config)
	c.Path = "/srv/audit"
	var ks outputs.KeySpacer = c
	if dest, tmpl := ks.KeySpace(); dest != "/srv/audit" || tmpl != c.Name {
		t.Errorf("KeySpace() = %q, %q", dest, tmpl)
	}
	if _, err := f.Create(outputs.Settings{}, struct{}{}); err == nil {
		t.Error("Create accepted a foreign config")
	}
}
