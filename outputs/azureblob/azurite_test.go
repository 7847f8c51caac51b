package azureblob

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/auditship/auditship/internal/testenv"
)

// azurite holds what a test needs of the Azurite started by
// scripts/services.sh, and a container prefix of its own.
type azurite struct {
	conn, url, account, key string
	prefix                  string // unique per test; every container starts with it
	client                  *azblob.Client
}

func newAzurite(t *testing.T) *azurite {
	t.Helper()
	conn := testenv.Need(t, "AUDITSHIP_TEST_AZURE_CONN")[0]
	a := &azurite{conn: conn, prefix: "t" + randHex(t) + "-"}
	for _, kv := range strings.Split(conn, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "BlobEndpoint":
			a.url = strings.TrimSuffix(v, "/")
		case "AccountName":
			a.account = v
		case "AccountKey":
			a.key = v
		}
	}
	u, err := url.Parse(a.url)
	if err != nil {
		t.Fatal(err)
	}
	testenv.Reachable(t, u.Host)
	if a.client, err = azblob.NewClientFromConnectionString(conn, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.cleanup)
	return a
}

func randHex(t *testing.T) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// cleanup deletes the test's containers.
func (a *azurite) cleanup() {
	ctx := context.Background()
	pager := a.client.NewListContainersPager(&azblob.ListContainersOptions{Prefix: &a.prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return
		}
		for _, c := range page.ContainerItems {
			a.client.DeleteContainer(ctx, *c.Name, nil)
		}
	}
}

// config is a connection-string config writing to containers
// PREFIX-FLOW, created on demand.
func (a *azurite) config() *Config {
	c := NewFactory().NewConfig().(*Config)
	c.ConnectionString = a.conn
	c.Container = a.prefix + "{{ workflowDefinitionId }}"
	c.CreateContainer = true
	return c
}

// sharedKey turns c into an account_url + shared key config.
func (a *azurite) sharedKey(c *Config, key string) {
	c.ConnectionString, c.AccountURL, c.AccountName, c.AccountKey = "", a.url, a.account, key
}

func (a *azurite) output(t *testing.T, edit func(*Config)) *Output {
	t.Helper()
	c := a.config()
	if edit != nil {
		edit(c)
	}
	return create(t, c, "orders")
}

// download returns a blob's bytes, content type and metadata.
func (a *azurite) download(t *testing.T, key string) ([]byte, string, map[string]string) {
	t.Helper()
	c, name := splitKey(key)
	resp, err := a.client.DownloadStream(context.Background(), c, name, nil)
	if err != nil {
		t.Fatalf("download %s: %v", key, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data, *resp.ContentType, lowerKeys(resp.Metadata)
}

func wrongKey() string { return base64.StdEncoding.EncodeToString([]byte("not the account key")) }
