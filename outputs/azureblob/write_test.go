package azureblob

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

func TestAzuriteWriteReadBack(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	b := spooled(t, o, "orders", plugintest.Events(1, 3, "Onboarding"))
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	data, ctype, md := a.download(t, b.Key)
	if !bytes.Equal(data, bodyOf(b)) || ctype != "application/gzip" {
		t.Errorf("stored %d bytes of %s, want the %d spooled bytes of application/gzip", len(data), ctype, b.Size)
	}
	want := map[string]string{
		"auditship_stream": "s1", "auditship_pipeline": "orders", "auditship_batch_id": "s1-00000000000000000001",
		"auditship_first_seq": "1", "auditship_last_seq": "3", "auditship_count": "3", "auditship_sha256": b.SHA256,
	}
	if diff := cmp.Diff(want, md); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}

func TestAzuriteWriteAgainIsIdempotent(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	b := spooled(t, o, "orders", plugintest.Events(1, 3, "flow"))
	for i := range 3 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := len(a.keys(t, o)); n != 1 {
		t.Errorf("%d blobs after three writes of one batch, want 1", n)
	}
}

// keys lists what o stored for pipeline "orders".
func (a *azurite) keys(t *testing.T, o *Output) []string {
	t.Helper()
	var keys []string
	for ref, err := range o.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
	}
	return keys
}

func TestAzuriteKeyConflict(t *testing.T) {
	tests := []struct {
		name         string
		same         bool // the blob there holds this batch's bytes
		withMetadata bool
		wantConflict bool
	}{
		{"other data", false, true, true},
		{"other data, no metadata", false, false, true},
		{"same bytes, no metadata", true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newAzurite(t)
			o := a.output(t, nil)
			b := spooled(t, o, "orders", plugintest.Events(1, 3, "flow"))
			data := []byte("someone else's data\n")
			if tt.same {
				data = bodyOf(b)
			}
			a.put(t, b.Key, data, tt.withMetadata)
			err := o.Write(context.Background(), b)
			if !tt.wantConflict {
				if err != nil {
					t.Fatalf("Write over its own bytes: %v", err)
				}
				return
			}
			if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") || !strings.Contains(err.Error(), b.Key) {
				t.Fatalf("Write over another blob: %v, want a permanent key conflict naming %s", err, b.Key)
			}
			if got, _, _ := a.download(t, b.Key); !bytes.Equal(got, data) {
				t.Error("the blob already there was changed")
			}
		})
	}
}

// put stores a blob as someone else would, creating its container.
func (a *azurite) put(t *testing.T, key string, data []byte, withMetadata bool) {
	t.Helper()
	c, name := splitKey(key)
	a.client.CreateContainer(context.Background(), c, nil)
	var opts azblob.UploadBufferOptions
	if withMetadata {
		other := "0000"
		opts.Metadata = map[string]*string{"auditship_sha256": &other}
	}
	if _, err := a.client.UploadBuffer(context.Background(), c, name, data, &opts); err != nil {
		t.Fatal(err)
	}
}

func TestAzuriteWrongKeyIsPermanent(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { a.sharedKey(c, wrongKey()) })
	err := o.Write(context.Background(), spooled(t, o, "orders", plugintest.Events(1, 1, "flow")))
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "check the credentials") {
		t.Fatalf("Write with a wrong key: %v, want a permanent error saying to check the credentials", err)
	}
	t.Log(err)
	if strings.Contains(err.Error(), wrongKey()) || strings.Contains(err.Error(), a.key) {
		t.Errorf("error quotes a key: %v", err)
	}
	// The right key works: the shared key path itself is sound.
	o = a.output(t, func(c *Config) { a.sharedKey(c, a.key) })
	if err := o.Write(context.Background(), spooled(t, o, "orders", plugintest.Events(1, 1, "flow"))); err != nil {
		t.Fatalf("Write with the right key: %v", err)
	}
}

func TestAzuriteMissingContainer(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.CreateContainer = false })
	b := spooled(t, o, "orders", plugintest.Events(1, 1, "flow"))
	err := o.Write(context.Background(), b)
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "create_container") {
		t.Fatalf("Write to a missing container: %v, want a permanent error naming create_container", err)
	}
	t.Log(err)
	c, _ := splitKey(b.Key)
	if _, err := a.client.CreateContainer(context.Background(), c, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatalf("Write once the container exists: %v", err)
	}
}

func TestAzuriteCreateContainer(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	for i, flow := range []string{"Flow-One", "flow_two"} {
		b := spooled(t, o, "orders", plugintest.Events(i*10+1, 2, flow))
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{a.prefix + "flow-one", a.prefix + "flow-two"}
	if diff := cmp.Diff(want, a.containers(t)); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
}

func (a *azurite) containers(t *testing.T) []string {
	t.Helper()
	var names []string
	pager := a.client.NewListContainersPager(&azblob.ListContainersOptions{Prefix: &a.prefix})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.ContainerItems {
			names = append(names, *c.Name)
		}
	}
	return names
}

func TestAzuriteSAS(t *testing.T) {
	a := newAzurite(t)
	sasURL, err := a.serviceSAS(t)
	if err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(sasURL, "?")
	o := a.output(t, func(c *Config) { c.ConnectionString, c.AccountURL, c.SASToken = "", a.url, token })
	if err := o.Write(context.Background(), spooled(t, o, "orders", plugintest.Events(1, 1, "flow"))); err != nil {
		t.Fatalf("Write with a SAS: %v", err)
	}
}

func TestAzuriteCompressedBlobsDecompress(t *testing.T) {
	tools := map[string][]string{"gzip": {"gzip", "-dc"}, "zstd": {"zstd", "-dcq"}, "none": {"cat"}}
	for comp, argv := range tools {
		t.Run(comp, func(t *testing.T) {
			if _, err := exec.LookPath(argv[0]); err != nil {
				t.Skipf("%s not installed", argv[0])
			}
			a := newAzurite(t)
			o := a.output(t, func(c *Config) { c.Compression = comp })
			evs := plugintest.Events(1, 3, "flow")
			b := spooled(t, o, "orders", evs)
			if err := o.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			data, _, _ := a.download(t, b.Key)
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Stdin = bytes.NewReader(data)
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", argv, err)
			}
			if diff := cmp.Diff(string(plain(t, evs)), string(got)); diff != "" {
				t.Errorf("decompressed (-want +got):\n%s", diff)
			}
		})
	}
}

// plain is the uncompressed ndjson of evs.
func plain(t *testing.T, evs []*event.Event) []byte {
	var buf bytes.Buffer
	enc, err := objectstore.NewEncoder(&buf, objectstore.Codec{Format: "ndjson", Compression: "none"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		enc.Encode(e)
	}
	enc.Close()
	return buf.Bytes()
}

// serviceSAS is an account SAS allowing what the output does.
func (a *azurite) serviceSAS(t *testing.T) (string, error) {
	t.Helper()
	return a.client.ServiceClient().GetSASURL(sas.AccountResourceTypes{Service: true, Container: true, Object: true},
		sas.AccountPermissions{Read: true, Write: true, Create: true, List: true}, time.Now().Add(time.Hour), nil)
}
