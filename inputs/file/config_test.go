package file

import (
	"testing"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/component"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want []string // attributes with an error
	}{
		{"defaults with paths", func(c *Config) {}, nil},
		{"no paths", func(c *Config) { c.Paths = nil }, []string{"paths"}},
		{"bad glob", func(c *Config) { c.Paths = []string{"/x/[a"} }, []string{"paths"}},
		{"bad exclude", func(c *Config) { c.Exclude = []string{"[b"} }, []string{"exclude"}},
		{"start_at", func(c *Config) { c.StartAt = "middle" }, []string{"start_at"}},
		{"scan_interval", func(c *Config) { c.ScanInterval = "soon" }, []string{"scan_interval"}},
		{"zero scan_interval", func(c *Config) { c.ScanInterval = "0s" }, []string{"scan_interval"}},
		{"max_open_files", func(c *Config) { c.MaxOpenFiles = 0 }, []string{"max_open_files"}},
		{"all at once", func(c *Config) { c.Paths, c.StartAt = nil, "x" }, []string{"paths", "start_at"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewConfig()
			c.Paths = []string{"/var/log/*.log"}
			tc.mod(c)
			var got []string
			for _, ae := range component.AttrErrors(c.Validate()) {
				got = append(got, ae.Attr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "input", "file", NewFactory().NewConfig())
}
