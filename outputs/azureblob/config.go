package azureblob

import (
	"errors"
	"net/url"
	"strings"

	"github.com/auditship/auditship/internal/component"
	"github.com/auditship/auditship/internal/template"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Config is the body of an `output "azure_blob" "NAME"` block. The
// credential attributes select the auth method (see auth.go).
type Config struct {
	AccountURL       string `hcl:"account_url,optional"`       // https://ACCOUNT.blob.core.windows.net
	ConnectionString string `hcl:"connection_string,optional"` // carries its own credentials

	AccountName string `hcl:"account_name,optional"` // shared key
	AccountKey  string `hcl:"account_key,optional"`
	SASToken    string `hcl:"sas_token,optional"`

	TenantID                  string `hcl:"tenant_id,optional"` // Entra ID service principal
	ClientID                  string `hcl:"client_id,optional"` // also picks a user-assigned managed identity
	ClientSecret              string `hcl:"client_secret,optional"`
	ClientCertificatePath     string `hcl:"client_certificate_path,optional"`
	ClientCertificatePassword string `hcl:"client_certificate_password,optional"`
	ManagedIdentity           bool   `hcl:"managed_identity,optional"`

	Container       string `hcl:"container"`            // container name template
	Name            string `hcl:"name,optional"`        // blob name template
	Format          string `hcl:"format,optional"`      // ndjson | json_array
	Compression     string `hcl:"compression,optional"` // none | gzip | zstd
	CreateContainer bool   `hcl:"create_container,optional"`
	MetaContainer   string `hcl:"meta_container,optional"` // the integrity chain's container; default: container, rendered without an event

	Immutability *Immutability `hcl:"immutability,block"` // WORM retention of every blob written
}

// Immutability is the `immutability` block: the version-level
// immutability policy set on every blob the output writes (batches,
// manifests, checkpoints). The container (or account) must have
// version-level immutability support enabled.
type Immutability struct {
	Mode   string `hcl:"mode"`   // unlocked | locked
	Retain string `hcl:"retain"` // "7y", "90d", "36h"
}

func newConfig() *Config {
	return &Config{
		Name:        objectstore.DefaultName,
		Format:      objectstore.FormatNDJSON,
		Compression: objectstore.CompressionGzip,
	}
}

// parsed is a checked Config.
type parsed struct {
	codec     objectstore.Codec
	name      *template.Template
	container *template.Template
	meta      *template.Template // the chain's container: meta_container, else container
	auth      authMethod
	hold      *immutability // nil without an immutability block
}

// Validate reports every problem with the attributes. It builds the client
// (no network) so that Create cannot fail on anything it could catch.
func (c *Config) Validate() error {
	p, err := c.parse()
	if err != nil {
		return err
	}
	_, err = newClient(c, p.auth)
	return err
}

func (c *Config) parse() (parsed, error) {
	var p parsed
	var err, cerr, merr, aerr, herr error
	p.codec, p.name, err = objectstore.Parse(c.Format, c.Compression, "name", c.Name)
	p.container, cerr = parseContainer("container", c.Container)
	p.meta, merr = c.parseMeta()
	p.auth, aerr = c.authMethod()
	p.hold, herr = c.Immutability.parse()
	return p, errors.Join(err, cerr, merr, aerr, herr)
}

// parseContainer checks a container template given in attr; a constant
// one must already be a usable container name once sanitised.
func parseContainer(attr, s string) (*template.Template, error) {
	if strings.TrimSpace(s) == "" {
		return nil, component.Errorf(attr, "must name a container, e.g. \"audit-{{ workflowDefinitionId }}\"")
	}
	t, err := template.Parse(s)
	if err != nil {
		return nil, component.Errorf(attr, "%v", err)
	}
	if !strings.Contains(s, "{{") {
		if _, err := objectstore.SanitizeContainer(s); err != nil {
			return nil, component.Errorf(attr, "%v", err)
		}
	}
	return t, nil
}

// KeySpace tells validate where this output writes, to reject two outputs
// whose blob names can collide. It never includes credentials.
func (c *Config) KeySpace() (dest, template string) {
	return endpoint(c) + "/" + c.Container, c.Name
}

// endpoint is the blob service URL without query (a SAS) or trailing '/'.
func endpoint(c *Config) string {
	raw := c.AccountURL
	if c.ConnectionString != "" {
		raw = ""
		if cl, err := newClient(&Config{ConnectionString: c.ConnectionString}, authConnString); err == nil {
			raw = cl.URL()
		}
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return strings.TrimSuffix(u.String(), "/")
}
