package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/auditship/auditship/internal/testenv"
)

// azServer is an Azurite blob endpoint (account URL and shared key), with
// a client that reads and writes behind the agent's back.
type azServer struct {
	account, key, url string
	host              string // host:port of url
	admin             *azblob.Client
}

// sharedAzure is the Azurite scripts/services.sh started.
func sharedAzure(t *testing.T) *azServer {
	t.Helper()
	conn := testenv.Need(t, "AUDITSHIP_TEST_AZURE_CONN")[0]
	srv := &azServer{}
	for _, kv := range strings.Split(conn, ";") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "BlobEndpoint":
			srv.url = strings.TrimSuffix(v, "/")
		case "AccountName":
			srv.account = v
		case "AccountKey":
			srv.key = v
		}
	}
	u, err := url.Parse(srv.url)
	if err != nil {
		t.Fatalf("AUDITSHIP_TEST_AZURE_CONN: %v", err)
	}
	testenv.Reachable(t, u.Host)
	return srv.connect(t, srv.url)
}

// privateAzure starts an Azurite of the test's own, with the same
// well-known dev account.
func privateAzure(t *testing.T) (*azServer, *privateServer) {
	t.Helper()
	shared := sharedAzure(t)
	bin := toolPath(t, "AUDITSHIP_AZURITE_BLOB", filepath.Join("azurite*", "node_modules", ".bin", "azurite-blob"))
	port := freePort(t)
	ps := startPrivate(t, "azurite", port, bin, "--location", t.TempDir(), "--blobHost", "127.0.0.1",
		"--blobPort", strconv.Itoa(port), "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry")
	srv := &azServer{account: shared.account, key: shared.key}
	return srv.connect(t, "http://"+ps.addr+"/"+shared.account), ps
}

func (srv *azServer) connect(t *testing.T, blobURL string) *azServer {
	t.Helper()
	srv.url = blobURL
	u, _ := url.Parse(blobURL)
	srv.host = u.Host
	var err error
	if srv.admin, err = azblob.NewClientFromConnectionString(connString(srv.account, srv.key, blobURL), nil); err != nil {
		t.Fatal(err)
	}
	return srv
}

func connString(account, key, blobURL string) string {
	return fmt.Sprintf("DefaultEndpointsProtocol=http;AccountName=%s;AccountKey=%s;BlobEndpoint=%s;", account, key, blobURL)
}

// azStore is the containers of one test: every one starts with prefix.
type azStore struct {
	srv       *azServer
	prefix    string
	container string // the container template
	url, key  string // what the agent is given
	create    bool   // create_container
}

// store gives the test containers PREFIX-FLOW, created by the agent.
func (srv *azServer) store(t *testing.T) *azStore {
	t.Helper()
	var r [4]byte
	rand.Read(r[:])
	prefix := "audit-" + hex.EncodeToString(r[:])
	st := &azStore{srv: srv, prefix: prefix, container: prefix + "-{{ workflowDefinitionId }}",
		url: srv.url, key: srv.key, create: true}
	t.Cleanup(func() {
		if !t.Failed() { // a failed test's containers are kept to look at
			st.drop()
		}
	})
	return st
}

func (st *azStore) output(o storeOpts) string {
	return fmt.Sprintf(`  output "azure_blob" %q {
    connection_string = %q
    container         = %q
    name              = %q
    create_container  = %t
`, o.outputName(), connString(st.srv.account, st.key, st.url), st.container, h2rKey, st.create) + o.common()
}

// containers lists the test's containers.
func (st *azStore) containers(t *testing.T) []string {
	t.Helper()
	out, err := st.listContainers()
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	return out
}

func (st *azStore) listContainers() ([]string, error) {
	var out []string
	pager := st.srv.admin.NewListContainersPager(&azblob.ListContainersOptions{Prefix: &st.prefix})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			return out, err
		}
		for _, c := range page.ContainerItems {
			out = append(out, *c.Name)
		}
	}
	return out, nil
}

// objects reads every blob of the test's containers.
func (st *azStore) objects(t *testing.T) []object {
	t.Helper()
	var out []object
	for _, c := range st.containers(t) {
		pager := st.srv.admin.NewListBlobsFlatPager(c, nil)
		for pager.More() {
			page, err := pager.NextPage(context.Background())
			if err != nil {
				t.Fatalf("list blobs of %s: %v", c, err)
			}
			for _, b := range page.Segment.BlobItems {
				if !strings.HasPrefix(*b.Name, chainPrefix) {
					out = append(out, st.get(t, c, *b.Name))
				}
			}
		}
	}
	return out
}

func (st *azStore) get(t *testing.T, container, blob string) object {
	t.Helper()
	res, err := st.srv.admin.DownloadStream(context.Background(), container, blob, nil)
	if err != nil {
		t.Fatalf("download %s/%s: %v", container, blob, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("download %s/%s: %v", container, blob, err)
	}
	meta := map[string]string{}
	for k, v := range res.Metadata {
		if v != nil {
			meta[strings.ToLower(k)] = *v
		}
	}
	return object{key: container + "/" + blob, body: body, meta: meta}
}

// put uploads a blob at key (CONTAINER/BLOB), creating the container.
func (st *azStore) put(t *testing.T, key string, body []byte) {
	t.Helper()
	c, blob, _ := strings.Cut(key, "/")
	st.srv.admin.CreateContainer(context.Background(), c, nil) // may exist
	if _, err := st.srv.admin.UploadBuffer(context.Background(), c, blob, body, nil); err != nil {
		t.Fatalf("upload %s: %v", key, err)
	}
}

func (st *azStore) drop() {
	names, _ := st.listContainers()
	for _, c := range names {
		st.srv.admin.DeleteContainer(context.Background(), c, nil)
	}
}
