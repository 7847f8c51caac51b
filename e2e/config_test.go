package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// config is one pipeline "e2e" with one input and some outputs.
type config struct {
	dataDir  string // written as data_dir; empty: left out
	shutdown string // shutdown_timeout; empty: "10s"
	metrics  string // metrics_addr; empty: left out
	buffer   string // attributes of the pipeline's buffer block; empty: none
	input    string
	outputs  []string
}

// write saves the config as config.hcl in a fresh temp dir.
func (c config) write(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if c.dataDir != "" {
		fmt.Fprintf(&b, "data_dir = %q\n", c.dataDir)
	}
	shutdown := c.shutdown
	if shutdown == "" {
		shutdown = "10s"
	}
	if c.metrics != "" {
		fmt.Fprintf(&b, "metrics_addr = %q\n", c.metrics)
	}
	fmt.Fprintf(&b, "shutdown_timeout = %q\n\npipeline \"e2e\" {\n%s", shutdown, c.input)
	if c.buffer != "" {
		fmt.Fprintf(&b, "  buffer {\n    %s\n  }\n", c.buffer)
	}
	for _, o := range c.outputs {
		b.WriteString(o)
	}
	b.WriteString("}\n")
	return writeFile(t, "config.hcl", b.String())
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func stdinInput() string {
	return `  input "stdin" "in" {
    format   = "json"
    timezone = "UTC"
  }
`
}

// fileInput tails glob from the beginning, re-scanning often.
func fileInput(glob string) string {
	return fmt.Sprintf(`  input "file" "app" {
    paths         = [%q]
    format        = "json"
    timezone      = "UTC"
    start_at      = "beginning"
    scan_interval = "200ms"
  }
`, glob)
}

// fileOutput batches for 200ms and caps the backoff at 1s, so that tests
// see deliveries and retries quickly.
func fileOutput(name, dir string) string {
	return fmt.Sprintf(`  output "file" %q {
    path = %q
    batch {
      interval = "200ms"
    }
    retry {
      max_interval = "1s"
    }
  }
`, name, dir)
}

// outOpts tune a file output for the durability tests.
type outOpts struct {
	interval string // batch interval; empty: "200ms"
	extra    string // more attributes, e.g. name and compression
}

// fileOutputWith is fileOutput with a fast first retry (50ms, capped at
// 1s) and the given batch interval and attributes.
func fileOutputWith(name, dir string, o outOpts) string {
	interval := o.interval
	if interval == "" {
		interval = "200ms"
	}
	return fmt.Sprintf(`  output "file" %q {
    path = %q
    %s
    batch {
      interval = %q
    }
    retry {
      initial_interval = "50ms"
      max_interval     = "1s"
    }
  }
`, name, dir, o.extra, interval)
}

func stdoutOutput() string {
	return `  output "stdout" "console" {
    format = "json"
  }
`
}

// blockedDir returns a path that is a regular file: a file output
// pointed at it fails on every write (root ignores modes, so no chmod).
func blockedDir(t *testing.T) string {
	t.Helper()
	return writeFile(t, "not-a-dir", "")
}
