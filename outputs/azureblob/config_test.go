package azureblob

import (
	"strings"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/plugintest"

	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/outputs"
)

const (
	testURL  = "https://acct.blob.core.windows.net"
	testKey  = "c2VjcmV0LWtleS1kby1ub3QtbG9n" // base64 of "secret-key-do-not-log"
	testConn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + testKey + ";EndpointSuffix=core.windows.net"
)

// base is a valid shared-key config that the cases edit.
func base() *Config {
	c := NewFactory().NewConfig().(*Config)
	c.AccountURL, c.AccountName, c.AccountKey = testURL, "acct", testKey
	c.Container = "audit-{{ workflowDefinitionId }}"
	return c
}

// entra clears the shared key so a case can pick another method.
func entra(c *Config) { c.AccountName, c.AccountKey = "", "" }

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Config)
		wantAttrs []string
	}{
		{"shared key", func(c *Config) {}, nil},
		{"connection string", func(c *Config) { entra(c); c.AccountURL, c.ConnectionString = "", testConn }, nil},
		{"sas", func(c *Config) { entra(c); c.SASToken = "?sv=2022-11-02&sig=abc" }, nil},
		{"client secret", func(c *Config) { entra(c); c.TenantID, c.ClientID, c.ClientSecret = "tenant", "client", "s" }, nil},
		{"client certificate, file not read", func(c *Config) {
			entra(c)
			c.TenantID, c.ClientID, c.ClientCertificatePath = "tenant", "client", "/nonexistent.pem"
			c.ClientCertificatePassword = "pw"
		}, nil},
		{"managed identity", func(c *Config) { entra(c); c.ManagedIdentity = true }, nil},
		{"user-assigned managed identity", func(c *Config) { entra(c); c.ManagedIdentity, c.ClientID = true, "id" }, nil},
		{"constant container", func(c *Config) { c.Container = "Audit_Logs" }, nil},
		{"nothing", func(c *Config) { entra(c); c.AccountURL = "" }, []string{"account_url"}},
		{"no credentials", func(c *Config) { entra(c) }, []string{"account_url"}},
		{"both url and connection string", func(c *Config) { entra(c); c.ConnectionString = testConn },
			[]string{"account_url"}},
		{"connection string with a key", func(c *Config) { c.AccountURL, c.ConnectionString = "", testConn },
			[]string{"account_key", "account_name"}},
		{"malformed connection string", func(c *Config) { entra(c); c.AccountURL, c.ConnectionString = "", "nonsense" },
			[]string{"connection_string"}},
		{"key without name", func(c *Config) { c.AccountName = "" }, []string{"account_name"}},
		{"key not base64", func(c *Config) { c.AccountKey = "not base64!" }, []string{"account_key"}},
		{"two methods", func(c *Config) { c.SASToken = "sig=x" }, []string{"sas_token"}},
		{"secret without tenant", func(c *Config) { entra(c); c.ClientID, c.ClientSecret = "client", "s" },
			[]string{"tenant_id"}},
		{"tenant alone", func(c *Config) { entra(c); c.TenantID = "tenant" }, []string{"tenant_id"}},
		{"password without certificate", func(c *Config) {
			entra(c)
			c.TenantID, c.ClientID, c.ClientSecret, c.ClientCertificatePassword = "t", "c", "s", "pw"
		}, []string{"client_certificate_password"}},
		{"secret and certificate", func(c *Config) {
			entra(c)
			c.TenantID, c.ClientID, c.ClientSecret, c.ClientCertificatePath = "t", "c", "s", "/c.pem"
		}, []string{"client_certificate_path"}},
		{"managed identity with tenant", func(c *Config) { entra(c); c.ManagedIdentity, c.TenantID = true, "t" },
			[]string{"tenant_id"}},
		{"url not http", func(c *Config) { c.AccountURL = "acct.blob.core.windows.net" }, []string{"account_url"}},
		{"sas in the url", func(c *Config) { c.AccountURL += "/?sig=x" }, []string{"account_url"}},
		{"no container", func(c *Config) { c.Container = "" }, []string{"container"}},
		{"bad container template", func(c *Config) { c.Container = "audit-{{ flow }" }, []string{"container"}},
		{"constant container too short", func(c *Config) { c.Container = "a!" }, []string{"container"}},
		{"no batch_id", func(c *Config) { c.Name = "{{ date }}" }, []string{"name"}},
		{"format and compression", func(c *Config) { c.Format, c.Compression = "csv", "lz4" },
			[]string{"format", "compression"}},
		{"meta container", func(c *Config) { c.MetaContainer = "Audit_Chain" }, nil},
		{"meta container template", func(c *Config) { c.MetaContainer = "{{ pipeline }}-chain" }, nil},
		{"meta container per batch", func(c *Config) { c.MetaContainer = "chain-{{ date }}" }, []string{"meta_container"}},
		{"meta container too short", func(c *Config) { c.MetaContainer = "a!" }, []string{"meta_container"}},
		{"bad meta container template", func(c *Config) { c.MetaContainer = "chain-{{ pipeline }" }, []string{"meta_container"}},
		{"container per batch", func(c *Config) { c.Container = "audit-{{ date }}" }, []string{"container"}},
		{"container per batch, meta container", func(c *Config) { c.Container, c.MetaContainer = "audit-{{ date }}", "audit-chain" },
			nil},
		{"immutability", func(c *Config) { c.Immutability = &Immutability{Mode: "unlocked", Retain: "7y"} }, nil},
		{"locked immutability", func(c *Config) { c.Immutability = &Immutability{Mode: "locked", Retain: "90d"} }, nil},
		{"immutability mode as the API spells it", func(c *Config) { c.Immutability = &Immutability{Mode: "Locked", Retain: "7y"} },
			[]string{"immutability.mode"}},
		{"immutability for no time", func(c *Config) { c.Immutability = &Immutability{Mode: "unlocked", Retain: "0y"} },
			[]string{"immutability.retain"}},
		{"immutability all wrong", func(c *Config) { c.Immutability = &Immutability{Mode: "legal_hold", Retain: "7"} },
			[]string{"immutability.mode", "immutability.retain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			err := c.Validate()
			var got []string
			for _, ae := range component.AttrErrors(err) {
				got = append(got, ae.Attr)
			}
			if diff := cmp.Diff(tt.wantAttrs, got); diff != "" {
				t.Errorf("attrs (-want +got):\n%s\nerror: %v", diff, err)
			}
			if err != nil && strings.Contains(err.Error(), testKey) {
				t.Errorf("error quotes the account key: %v", err)
			}
		})
	}
}

func TestExample(t *testing.T) {
	plugintest.DecodeExample(t, Example, "output", "azure_blob", NewFactory().NewConfig())
}

func TestFactory(t *testing.T) {
	f := NewFactory()
	want := outputs.BatchConfig{MaxEvents: 100000, MaxBytes: 64 << 20, Interval: 4 * time.Hour}
	if f.Type() != "azure_blob" || f.BatchDefaults() != want {
		t.Errorf("Type %q, BatchDefaults %+v", f.Type(), f.BatchDefaults())
	}
	c := f.NewConfig().(*Config)
	if c.Compression != "gzip" || c.Format != "ndjson" || c.CreateContainer {
		t.Errorf("defaults: %+v", c)
	}
	if _, err := f.Create(outputs.Settings{}, struct{}{}); err == nil {
		t.Error("Create accepted a foreign config")
	}
}

func TestKeySpace(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"account url", func(c *Config) { c.AccountURL += "/" }, testURL + "/audit-{{ workflowDefinitionId }}"},
		{"connection string", func(c *Config) { c.AccountURL, c.ConnectionString = "", testConn },
			testURL + "/audit-{{ workflowDefinitionId }}"},
		{"sas connection string", func(c *Config) {
			c.AccountURL, c.ConnectionString = "", "BlobEndpoint=http://127.0.0.1:10000/dev;SharedAccessSignature=sv=1&sig=SECRET"
		}, "http://127.0.0.1:10000/dev/audit-{{ workflowDefinitionId }}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(c)
			var ks outputs.KeySpacer = c
			dest, tmpl := ks.KeySpace()
			if dest != tt.want || tmpl != c.Name {
				t.Errorf("KeySpace() = %q, %q; want %q, %q", dest, tmpl, tt.want, c.Name)
			}
		})
	}
}
