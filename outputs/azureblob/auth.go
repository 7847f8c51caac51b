package azureblob

import (
	"encoding/base64"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/auditship/auditship/internal/component"
)

// authMethod is how the output authenticates; exactly one per config.
type authMethod uint8

const (
	authNone authMethod = iota
	authConnString
	authSharedKey
	authSAS
	authSecret
	authCertificate
	authManaged
)

var methodNames = [...]string{"no", "connection string", "shared key", "SAS", "Entra ID client secret",
	"Entra ID client certificate", "managed identity"}

func (m authMethod) String() string { return methodNames[m] }

// credAttr is a credential attribute and the methods it belongs to;
// selects is the method its presence picks (authNone: it picks none).
type credAttr struct {
	name    string
	set     func(c *Config) bool
	selects authMethod
	methods []authMethod
}

var credAttrs = []credAttr{
	{"connection_string", func(c *Config) bool { return c.ConnectionString != "" }, authConnString, []authMethod{authConnString}},
	{"account_key", func(c *Config) bool { return c.AccountKey != "" }, authSharedKey, []authMethod{authSharedKey}},
	{"account_name", func(c *Config) bool { return c.AccountName != "" }, authSharedKey, []authMethod{authSharedKey}},
	{"sas_token", func(c *Config) bool { return c.SASToken != "" }, authSAS, []authMethod{authSAS}},
	{"client_secret", func(c *Config) bool { return c.ClientSecret != "" }, authSecret, []authMethod{authSecret}},
	{"client_certificate_path", func(c *Config) bool { return c.ClientCertificatePath != "" }, authCertificate, []authMethod{authCertificate}},
	{"managed_identity", func(c *Config) bool { return c.ManagedIdentity }, authManaged, []authMethod{authManaged}},
	{"client_certificate_password", func(c *Config) bool { return c.ClientCertificatePassword != "" }, authNone, []authMethod{authCertificate}},
	{"tenant_id", func(c *Config) bool { return c.TenantID != "" }, authNone, []authMethod{authSecret, authCertificate}},
	{"client_id", func(c *Config) bool { return c.ClientID != "" }, authNone, []authMethod{authSecret, authCertificate, authManaged}},
	{"account_url", func(c *Config) bool { return c.AccountURL != "" }, authNone,
		[]authMethod{authSharedKey, authSAS, authSecret, authCertificate, authManaged}},
}

// required lists the attributes each method cannot do without.
var required = map[authMethod][]string{
	authSharedKey:   {"account_url", "account_name", "account_key"},
	authSAS:         {"account_url"},
	authSecret:      {"account_url", "tenant_id", "client_id"},
	authCertificate: {"account_url", "tenant_id", "client_id"},
	authManaged:     {"account_url"},
}

// authMethod picks the method from the attributes set and reports
// attributes missing for it or belonging to another one. Messages never
// quote a credential.
func (c *Config) authMethod() (authMethod, error) {
	m, by := authNone, ""
	var errs []error
	for _, a := range credAttrs {
		switch {
		case !a.set(c):
		case m == authNone && a.selects != authNone:
			m, by = a.selects, a.name
		case m != authNone && !slices.Contains(a.methods, m):
			errs = append(errs, component.Errorf(a.name, "does not go with %s auth (chosen by %s): choose one auth method", m, by))
		}
	}
	if m == authNone {
		return m, noMethod(c)
	}
	errs = append(errs, c.checkRequired(m), c.checkValues(m))
	return m, errors.Join(errs...)
}

func noMethod(c *Config) error {
	switch {
	case c.AccountURL == "":
		return component.Errorf("account_url", "set account_url (with credentials) or connection_string")
	case c.TenantID != "":
		return component.Errorf("tenant_id", "Entra ID needs client_id and client_secret or client_certificate_path")
	}
	return component.Errorf("account_url", "needs credentials: account_name + account_key, sas_token, "+
		"tenant_id + client_id + client_secret or client_certificate_path, or managed_identity = true")
}

func (c *Config) checkRequired(m authMethod) error {
	var errs []error
	for _, name := range required[m] {
		i := slices.IndexFunc(credAttrs, func(a credAttr) bool { return a.name == name })
		if !credAttrs[i].set(c) {
			errs = append(errs, component.Errorf(name, "is required with %s auth", m))
		}
	}
	return errors.Join(errs...)
}

// checkValues checks the shape of the values without quoting them.
func (c *Config) checkValues(m authMethod) error {
	var errs []error
	if c.AccountURL != "" {
		errs = append(errs, checkAccountURL(c.AccountURL))
	}
	switch {
	case m == authConnString:
		if _, err := azblob.NewClientFromConnectionString(c.ConnectionString, nil); err != nil {
			errs = append(errs, component.Errorf("connection_string", "is malformed: %v", err))
		}
	case m == authSharedKey && c.AccountKey != "":
		if _, err := base64.StdEncoding.DecodeString(c.AccountKey); err != nil {
			errs = append(errs, component.Errorf("account_key", "is not valid base64"))
		}
	}
	return errors.Join(errs...)
}

func checkAccountURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return component.Errorf("account_url", "must be an http(s) URL such as https://ACCOUNT.blob.core.windows.net")
	case u.RawQuery != "":
		return component.Errorf("account_url", "must not carry a query: put a SAS in sas_token")
	}
	return nil
}

// clientOptions keeps the SDK's own retries few and short: the sender
// retries forever with its own backoff, and must hear of an outage soon.
func clientOptions() *azblob.ClientOptions {
	return &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: 500 * time.Millisecond, MaxRetryDelay: 4 * time.Second},
		Telemetry: policy.TelemetryOptions{ApplicationID: "auditship"},
	}}
}

// newClient builds the service client for method m. It does no I/O: a
// client certificate is read when the first token is needed.
func newClient(c *Config, m authMethod) (*azblob.Client, error) {
	opts := clientOptions()
	switch m {
	case authConnString:
		return azblob.NewClientFromConnectionString(c.ConnectionString, opts)
	case authSharedKey:
		cred, err := azblob.NewSharedKeyCredential(c.AccountName, c.AccountKey)
		if err != nil {
			return nil, component.Errorf("account_key", "is not valid base64")
		}
		return azblob.NewClientWithSharedKeyCredential(c.AccountURL, cred, opts)
	case authSAS:
		return azblob.NewClientWithNoCredential(withSAS(c.AccountURL, c.SASToken), opts)
	}
	cred, err := tokenCredential(c, m)
	if err != nil {
		return nil, err
	}
	return azblob.NewClient(c.AccountURL, cred, opts)
}

// withSAS appends the token to the service URL (it must have no query).
func withSAS(account, sas string) string {
	return strings.TrimSuffix(account, "/") + "/?" + strings.TrimPrefix(sas, "?")
}

func tokenCredential(c *Config, m authMethod) (azcore.TokenCredential, error) {
	switch m {
	case authSecret:
		cred, err := azidentity.NewClientSecretCredential(c.TenantID, c.ClientID, c.ClientSecret, nil)
		if err != nil {
			return nil, component.Errorf("tenant_id", "%v", err)
		}
		return cred, nil
	case authCertificate:
		return newCertCredential(c), nil
	case authManaged:
		var opts azidentity.ManagedIdentityCredentialOptions
		if c.ClientID != "" {
			opts.ID = azidentity.ClientID(c.ClientID)
		}
		return azidentity.NewManagedIdentityCredential(&opts)
	}
	return nil, errors.New("azure_blob: no auth method") // unreachable after Validate
}
