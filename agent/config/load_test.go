package config

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"

	"github.com/auditship/auditship/inputs/format"
	"github.com/auditship/auditship/inputs/record"
)

const minimal = `
pipeline "p" {
  input "stdin" "in" {}
  output "stdout" "out" {}
}
`

func TestTopLevel(t *testing.T) {
	tests := []struct {
		name, src string
		want      Config
	}{
		{"defaults", minimal, Config{ShutdownTimeout: 30 * time.Second}},
		{"set", `data_dir = "/var/lib/x"
shutdown_timeout = "1m"
metrics_addr = "127.0.0.1:9464"
` + minimal, Config{DataDir: "/var/lib/x", ShutdownTimeout: time.Minute, MetricsAddr: "127.0.0.1:9464"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadString(t, tt.src)
			got := Config{DataDir: cfg.DataDir, ShutdownTimeout: cfg.ShutdownTimeout, MetricsAddr: cfg.MetricsAddr}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestFunctions(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "secret.txt"), "s3cret\n")
	write(t, filepath.Join(dir, "main.hcl"), `
data_dir = env("AUDITSHIP_TEST_DIR")
metrics_addr = env("AUDITSHIP_TEST_UNSET_ADDR", "127.0.0.1:1")
pipeline "p" {
  input "stdin" "in" {}
  output "s3" "out" {
    bucket = file("secret.txt")
    prefix = "${env("AUDITSHIP_TEST_DIR")}/x"
  }
}
`)
	t.Setenv("AUDITSHIP_TEST_DIR", "/from/env")
	cfg, diags := Load(filepath.Join(dir, "main.hcl"), testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	got := []string{cfg.DataDir, cfg.MetricsAddr, cfg.Pipelines[0].Outputs[0].Config.(*s3Config).Bucket,
		cfg.Pipelines[0].Outputs[0].Config.(*s3Config).Prefix}
	want := []string{"/from/env", "127.0.0.1:1", "s3cret", "/from/env/x"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

// A directory's *.hcl files load in name order; defaults written in a later
// file still reach pipelines of an earlier one.
func TestDirectoryOrder(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "b.hcl"), `pipeline "second" {
  input "file" "in" {
    paths = ["/b"]
  }
}`)
	write(t, filepath.Join(dir, "a.hcl"), `pipeline "first" {
  input "stdin" "in" {}
}`)
	write(t, filepath.Join(dir, "c.hcl"), `defaults {
  output "stdout" "out" {}
}`)
	write(t, filepath.Join(dir, "README.md"), "not read")
	cfg, diags := Load(dir, testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	var names []string
	for _, p := range cfg.Pipelines {
		names = append(names, p.Name+":"+p.Outputs[0].Name)
	}
	want := []string{"first:out", "second:out"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Error(diff)
	}
	files := []string{filepath.Join(dir, "a.hcl"), filepath.Join(dir, "b.hcl"), filepath.Join(dir, "c.hcl")}
	if diff := cmp.Diff(files, cfg.Files); diff != "" {
		t.Error(diff)
	}
}

func TestInputCommon(t *testing.T) {
	cfg := loadString(t, `
pipeline "p" {
  input "file" "engine" {
    paths          = ["/var/log/a.log"]
    start_at       = "beginning"
    format         = "plain"
    timezone       = "Europe/Berlin"
    strip_prefix   = "^\\S+ "
    id_fields      = ["auditID", "stage"]
    include_raw    = true
    max_line_bytes = "64KiB"
    multiline {
      start_pattern = "^\\{"
      flush_timeout = "250ms"
      max_lines     = 10
      max_bytes     = "2MiB"
    }
  }
  input "stdin" "std" {}
  output "stdout" "out" {}
}
`)
	in := cfg.Pipelines[0].Inputs
	berlin, _ := time.LoadLocation("Europe/Berlin")
	strip := regexp.MustCompile(`^\S+ `)
	want := []*Input{{
		Type: "file", Name: "engine", Enabled: true,
		Decode: format.Options{Format: "plain", Location: berlin, StripPrefix: strip,
			IDFields: []string{"auditID", "stage"}, IncludeRaw: true, Input: "engine"},
		Framing: record.Config{Format: "plain", StartPattern: regexp.MustCompile(`^\{`), StripPrefix: strip,
			MaxLineBytes: 64 << 10, MaxLines: 10, MaxBytes: 2 << 20},
		FlushTimeout: 250 * time.Millisecond,
		Config:       &fileInConfig{Paths: []string{"/var/log/a.log"}, StartAt: "beginning", ScanInterval: "1s"},
	}, {
		Type: "stdin", Name: "std", Enabled: true,
		Decode:       format.Options{Format: "auto", Location: time.UTC, Input: "std"},
		Framing:      record.Config{Format: "auto", MaxLineBytes: 1 << 20, MaxLines: 1000, MaxBytes: 1 << 20},
		FlushTimeout: time.Second,
		Config:       &stdinConfig{},
	}}
	opts := []cmp.Option{
		cmp.Comparer(func(a, b *regexp.Regexp) bool {
			return (a == nil) == (b == nil) && (a == nil || a.String() == b.String())
		}),
		cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() }),
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Factory" }, cmp.Ignore()),
	}
	if diff := cmp.Diff(want, in, opts...); diff != "" {
		t.Error(diff)
	}
}

func TestOutputCommon(t *testing.T) {
	dir := t.TempDir()
	private, _, err := note.GenerateKey(nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "keys", "signing.key"), private+"\n")
	write(t, filepath.Join(dir, "main.hcl"), `
pipeline "p" {
  input "stdin" "in" {}
  output "file" "archive" {
    path                     = "/tmp/a"
    permanent_retry_interval = "1m"
    digest_interval          = "10m"
    signing_key              = "keys/signing.key"
    checkpoint_copy          = "copy"
    retry {
      max_interval = "1s"
    }
  }
  output "file" "copy" {
    path        = "/tmp/b"
    signing_key = file("keys/signing.key")
  }
  output "stdout" "out" {}
}
`)
	cfg, diags := Load(filepath.Join(dir, "main.hcl"), testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	type common struct {
		Batch             any
		Retry             Retry
		Permanent, Digest time.Duration
		SigningKey, Copy  string
	}
	var got []common
	for _, o := range cfg.Pipelines[0].Outputs {
		got = append(got, common{o.Batch, o.Retry, o.PermanentRetryInterval, o.DigestInterval, o.SigningKey, o.CheckpointCopy})
	}
	def := Retry{100 * time.Millisecond, 30 * time.Second}
	want := []common{
		{testRegistry().Outputs["file"].BatchDefaults(), Retry{100 * time.Millisecond, time.Second}, time.Minute, 10 * time.Minute, private, "copy"},
		{testRegistry().Outputs["file"].BatchDefaults(), def, 5 * time.Minute, time.Hour, private, ""},
		{testRegistry().Outputs["stdout"].BatchDefaults(), def, 5 * time.Minute, time.Hour, "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}

func TestLoadBytes(t *testing.T) {
	cfg, diags := LoadBytes("embedded.hcl", []byte(minimal), testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if diff := cmp.Diff([]string{"embedded.hcl"}, cfg.Files); diff != "" {
		t.Error(diff)
	}
	_, diags = LoadBytes("embedded.hcl", []byte("bogus = 1\n"+minimal), testRegistry())
	if diags.Error() != `embedded.hcl:1:1: unknown attribute "bogus"` {
		t.Errorf("got %v", diags)
	}
}

func TestLoadMissingPath(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, path, want string }{
		{"missing file", filepath.Join(dir, "nope.hcl"), filepath.Join(dir, "nope.hcl") + ": no such file or directory"},
		{"empty directory", dir, dir + ": no *.hcl files in directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Load(tt.path, testRegistry())
			if diags.Error() != tt.want {
				t.Errorf("got %q, want %q", diags.Error(), tt.want)
			}
		})
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The shipped example (a copy) loads with plugins shaped like the real ones.
func TestExampleConfig(t *testing.T) {
	cfg, diags := Load("testdata/good/example.hcl", testRegistry())
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	p := cfg.Pipelines[0]
	got := []string{p.Name, p.Inputs[0].Name, p.Outputs[0].Type + "/" + p.Outputs[0].Name, p.Outputs[1].Type + "/" + p.Outputs[1].Name}
	want := []string{"automatiko", "engine", "file/archive", "stdout/console"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Error(diff)
	}
}
