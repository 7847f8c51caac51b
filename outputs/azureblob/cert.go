package azureblob

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// certCredential signs in with a client certificate (PEM or PKCS#12, with
// its private key) read on first use: a missing or unreadable file is then a
// permanent write error, re-probed until fixed, not a failed start.
type certCredential struct {
	tenant, client, path, password string

	mu   sync.Mutex
	cred *azidentity.ClientCertificateCredential
}

func newCertCredential(c *Config) *certCredential {
	return &certCredential{tenant: c.TenantID, client: c.ClientID,
		path: c.ClientCertificatePath, password: c.ClientCertificatePassword}
}

// errCertificate marks a certificate that cannot be used: permanent.
type errCertificate struct{ err error }

func (e errCertificate) Error() string { return e.err.Error() }
func (e errCertificate) Unwrap() error { return e.err }

// GetToken implements azcore.TokenCredential.
func (c *certCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	cred, err := c.load()
	if err != nil {
		return azcore.AccessToken{}, err
	}
	return cred.GetToken(ctx, opts)
}

// load reads and parses the certificate once it succeeds.
func (c *certCredential) load() (*azidentity.ClientCertificateCredential, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cred != nil {
		return c.cred, nil
	}
	data, err := os.ReadFile(c.path)
	if err != nil {
		return nil, errCertificate{fmt.Errorf("client certificate: %w", err)}
	}
	certs, key, err := azidentity.ParseCertificates(data, []byte(c.password))
	if err != nil {
		return nil, errCertificate{fmt.Errorf("client certificate %s: %w", c.path, err)}
	}
	c.cred, err = azidentity.NewClientCertificateCredential(c.tenant, c.client, certs, key, nil)
	if err != nil {
		return nil, errCertificate{fmt.Errorf("client certificate %s: %w", c.path, err)}
	}
	return c.cred, nil
}
