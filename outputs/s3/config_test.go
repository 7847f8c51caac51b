package s3

import (
	"strings"
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
		{"no bucket", func(c *Config) { c.Bucket = "" }, []string{"bucket"}},
		{"upper-case bucket", func(c *Config) { c.Bucket = "Acme" }, []string{"bucket"}},
		{"bucket with slash", func(c *Config) { c.Bucket = "acme/audit" }, []string{"bucket"}},
		{"bucket ending in dash", func(c *Config) { c.Bucket = "acme-" }, []string{"bucket"}},
		{"dotted bucket", func(c *Config) { c.Bucket = "audit.acme.com" }, nil},
		{"access point ARN", func(c *Config) { c.Bucket = "arn:aws:s3:eu-west-1:123456789012:accesspoint/audit" }, nil},
		{"prefix with trailing slash", func(c *Config) { c.Prefix = "audit/h2r/" }, nil},
		{"absolute prefix", func(c *Config) { c.Prefix = "/audit" }, []string{"prefix"}},
		{"prefix with ..", func(c *Config) { c.Prefix = "a/../b" }, []string{"prefix"}},
		{"prefix with //", func(c *Config) { c.Prefix = "a//b" }, []string{"prefix"}},
		{"hire2retire key", func(c *Config) {
			c.Key = "Hire2Retire_{{ workflowDefinitionId }}_{{ batch_time }}_{{ batch_id }}"
		}, nil},
		{"key without batch_id", func(c *Config) { c.Key = "{{ pipeline }}/{{ date }}" }, []string{"key"}},
		{"absolute key", func(c *Config) { c.Key = "/{{ batch_id }}" }, []string{"key"}},
		{"no region", func(c *Config) { c.Region = " " }, []string{"region"}},
		{"endpoint", func(c *Config) { c.Endpoint, c.ForcePathStyle = "http://127.0.0.1:7070", true }, nil},
		{"endpoint without scheme", func(c *Config) { c.Endpoint = "127.0.0.1:7070" }, []string{"endpoint"}},
		{"endpoint with user", func(c *Config) { c.Endpoint = "https://key:secret@s3.example" }, []string{"endpoint"}},
		{"endpoint with query", func(c *Config) { c.Endpoint = "https://s3.example/?x=1" }, []string{"endpoint"}},
		{"static keys", func(c *Config) { c.AccessKeyID, c.SecretAccessKey, c.SessionToken = "AK", "SK", "TOK" }, nil},
		{"key id alone", func(c *Config) { c.AccessKeyID = "AK" }, []string{"secret_access_key"}},
		{"secret alone", func(c *Config) { c.SecretAccessKey = "SK" }, []string{"secret_access_key"}},
		{"token alone", func(c *Config) { c.SessionToken = "TOK" }, []string{"session_token"}},
		{"AES256", func(c *Config) { c.ServerSideEncryption = "AES256" }, nil},
		{"kms default key", func(c *Config) { c.ServerSideEncryption = "aws:kms" }, nil},
		{"kms with key", func(c *Config) { c.ServerSideEncryption, c.KMSKeyID = "aws:kms", "alias/a" }, nil},
		{"kms key with AES256", func(c *Config) { c.ServerSideEncryption, c.KMSKeyID = "AES256", "alias/a" },
			[]string{"kms_key_id"}},
		{"kms key alone", func(c *Config) { c.KMSKeyID = "alias/a" }, []string{"kms_key_id"}},
		{"unknown sse", func(c *Config) { c.ServerSideEncryption = "aes256" }, []string{"server_side_encryption"}},
		{"object lock", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "COMPLIANCE", Retain: "7y"} }, nil},
		{"object lock in days", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "GOVERNANCE", Retain: "30d"} }, nil},
		{"object lock in hours", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "GOVERNANCE", Retain: "36h"} }, nil},
		{"object lock mode in lower case", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "compliance", Retain: "7y"} },
			[]string{"object_lock.mode"}},
		{"object lock for no time", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "GOVERNANCE", Retain: "0d"} },
			[]string{"object_lock.retain"}},
		{"object lock in words", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "GOVERNANCE", Retain: "7 years"} },
			[]string{"object_lock.retain"}},
		{"object lock all wrong", func(c *Config) { c.ObjectLock = &ObjectLock{Mode: "LEGAL_HOLD", Retain: "-1y"} },
			[]string{"object_lock.mode", "object_lock.retain"}},
		{"all at once", func(c *Config) { c.Bucket, c.Format, c.Compression = "", "csv", "lz4" },
			[]string{"bucket", "format", "compression"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewFactory().NewConfig().(*Config)
			c.Bucket = "acme-audit"
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

// TestValidateHidesSecrets checks that no message quotes a credential.
func TestValidateHidesSecrets(t *testing.T) {
	c := NewFactory().NewConfig().(*Config)
	c.Bucket, c.SecretAccessKey, c.SessionToken = "acme-audit", "s3cr3t-value", "t0ken-value"
	c.Endpoint = "https://AKID:s3cr3t-value@s3.example"
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a secret without a key id and an endpoint with credentials")
	}
	for _, secret := range []string{"s3cr3t-value", "t0ken-value"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error quotes a secret: %v", err)
		}
	}
}

func TestDefaults(t *testing.T) {
	c := NewFactory().NewConfig().(*Config)
	want := &Config{
		Key:    "{{ pipeline }}/{{ date }}/{{ pipeline }}_{{ batch_time }}_{{ batch_id }}",
		Region: "us-east-1", Format: "ndjson", Compression: "gzip",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "output", "s3", NewFactory().NewConfig())
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	want := outputs.BatchConfig{MaxEvents: 100000, MaxBytes: 64 << 20, Interval: 4 * time.Hour}
	if f.Type() != "s3" || f.BatchDefaults() != want {
		t.Errorf("Type %q, BatchDefaults %+v", f.Type(), f.BatchDefaults())
	}
	if _, err := f.Create(outputs.Settings{}, struct{}{}); err == nil {
		t.Error("Create accepted a foreign config")
	}
}

func TestKeySpace(t *testing.T) {
	tests := []struct{ endpoint, prefix, want string }{
		{"", "", "s3://acme-audit"},
		{"", "audit/h2r/", "s3://acme-audit/audit/h2r"},
		{"http://127.0.0.1:7070", "audit", "s3://127.0.0.1:7070/acme-audit/audit"},
		{"https://s3.example/base/", "", "s3://s3.example/base/acme-audit"},
	}
	for _, tt := range tests {
		c := NewFactory().NewConfig().(*Config)
		c.Bucket, c.Endpoint, c.Prefix = "acme-audit", tt.endpoint, tt.prefix
		var ks outputs.KeySpacer = c
		if dest, tmpl := ks.KeySpace(); dest != tt.want || tmpl != c.Key {
			t.Errorf("endpoint %q prefix %q: KeySpace() = %q, %q; want %q", tt.endpoint, tt.prefix, dest, tmpl, tt.want)
		}
	}
}
