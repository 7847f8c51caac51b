package azureblob

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/stdin"
	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

// TestMetaContainer: the chain's container is meta_container, else the
// container template, rendered without an event and sanitised.
func TestMetaContainer(t *testing.T) {
	tests := []struct{ container, meta, want string }{
		{"audit-{{ workflowDefinitionId }}", "", "audit-none"},
		{"Audit_Logs", "", "audit-logs"},
		{"{{ pipeline }}-{{ output }}-{{ n }}", "", "orders-archive-none"},
		{"audit-{{ date }}", "Audit_Chain", "audit-chain"},
		{"audit-{{ workflowDefinitionId }}", "{{ pipeline }}-chain", "orders-chain"},
	}
	for _, tt := range tests {
		o := newUnitOutput(t, func(c *Config) { c.Container, c.MetaContainer = tt.container, tt.meta })
		if o.meta != tt.want {
			t.Errorf("container %q, meta_container %q: chain container %q, want %q", tt.container, tt.meta, o.meta, tt.want)
		}
	}
	c := base()
	c.Container = "{{ pipeline }}"
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFactory().Create(outputs.Settings{Pipeline: "p", Name: "archive"}, c); err == nil ||
		!strings.Contains(err.Error(), "meta_container") {
		t.Errorf("a chain container too short to be valid: %v, want an error naming meta_container", err)
	}
}

// TestMetaPositions: the loader reports meta_container's and
// immutability's problems at the attribute, FILE:LINE:COL.
func TestMetaPositions(t *testing.T) {
	src := `pipeline "p" {
  input "stdin" "in" {}
  output "azure_blob" "archive" {
    connection_string = "` + testConn + `"
    container         = "audit-{{ date }}"
    immutability {
      mode   = "Locked"
      retain = "7 years"
    }
  }
  output "azure_blob" "other" {
    connection_string = "` + testConn + `"
    container         = "audit-{{ workflowDefinitionId }}"
    meta_container    = "chain-{{ batch_id }}"
  }
}
`
	reg := config.Registry{
		Inputs:  map[string]inputs.Factory{"stdin": stdin.NewFactory()},
		Outputs: map[string]outputs.Factory{"azure_blob": NewFactory()},
	}
	_, diags := config.LoadBytes("az.hcl", []byte(src), reg)
	want := []string{
		`az.hcl:5:25: container: renders per batch, so set meta_container: the one container for the integrity chain's files (manifests, checkpoints)`,
		`az.hcl:7:16: immutability.mode: must be "unlocked" or "locked", not "Locked"`,
		`az.hcl:8:16: immutability.retain: invalid duration "7 years" (use e.g. "7y", "90d", "36h")`,
		`az.hcl:14:25: meta_container: must render without a batch: no {{ date }}, {{ hour }}, {{ batch_time }}, {{ batch_id }} or {{ first_seq }}`,
	}
	if diff := cmp.Diff(want, strings.Split(diags.Error(), "\n")); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if strings.Contains(diags.Error(), testKey) {
		t.Error("diagnostics quote the account key")
	}
}

func TestAzuriteMetaPutGetList(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, nil)
	ctx := context.Background()
	files := map[string]string{
		"_auditship/manifests/orders/s1-2.json": `{"n":2}`,
		"_auditship/manifests/orders/s1-1.json": `{"n":1}`,
		"_auditship/checkpoints/orders/1":       "auditship/orders/archive/s1\n1\nroot\n",
	}
	for name, data := range files {
		if err := o.PutMeta(ctx, name, []byte(data)); err != nil {
			t.Fatalf("PutMeta %s: %v", name, err)
		}
	}
	for name, data := range files {
		got, err := o.GetMeta(ctx, name)
		if err != nil || string(got) != data {
			t.Errorf("GetMeta %s = %q, %v; want %q", name, got, err, data)
		}
	}
	want := []string{"_auditship/manifests/orders/s1-1.json", "_auditship/manifests/orders/s1-2.json"}
	if diff := cmp.Diff(want, listMeta(t, o, "_auditship/manifests/")); diff != "" {
		t.Errorf("ListMeta (-want +got):\n%s", diff)
	}
	for name, ctype := range map[string]string{
		"_auditship/manifests/orders/s1-1.json": "application/json",
		"_auditship/checkpoints/orders/1":       "text/plain; charset=utf-8",
	} {
		if _, got, _ := a.download(t, a.prefix+"none/"+name); got != ctype {
			t.Errorf("%s: Content-Type %q, want %q", name, got, ctype)
		}
	}
}

func listMeta(t *testing.T, o *Output, dir string) []string {
	t.Helper()
	var names []string
	for name, err := range o.ListMeta(context.Background(), dir) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	return names
}

// TestAzuriteMetaCreateOnly: the same bytes again are a success, other
// bytes a permanent key conflict that leaves the stored file alone.
func TestAzuriteMetaCreateOnly(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.MetaContainer = a.prefix + "chain" })
	ctx := context.Background()
	const name = "_auditship/manifests/m.json"
	for range 2 {
		if err := o.PutMeta(ctx, name, []byte(`{"n":1}`)); err != nil {
			t.Fatalf("PutMeta of the same bytes: %v", err)
		}
	}
	err := o.PutMeta(ctx, name, []byte(`{"n":2}`))
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") ||
		!strings.Contains(err.Error(), a.prefix+"chain/"+name) {
		t.Errorf("PutMeta of other bytes: %v, want a permanent key conflict naming the blob", err)
	}
	if got, _, _ := a.download(t, a.prefix+"chain/"+name); string(got) != `{"n":1}` {
		t.Errorf("stored file changed to %q", got)
	}
	if err := o.PutMeta(ctx, "manifests/m.json", []byte("x")); err == nil {
		t.Error("PutMeta accepted a name outside _auditship/")
	}
}

// TestAzuriteMetaMissing: nothing stored yet reads as fs.ErrNotExist and
// lists empty; without create_container a missing container holds PutMeta
// as it holds Write.
func TestAzuriteMetaMissing(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.CreateContainer = false })
	ctx := context.Background()
	if _, err := o.GetMeta(ctx, "_auditship/checkpoints/1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("GetMeta in a missing container: %v, want fs.ErrNotExist", err)
	}
	if names := listMeta(t, o, "_auditship/"); len(names) != 0 {
		t.Errorf("ListMeta of a missing container: %q", names)
	}
	err := o.PutMeta(ctx, "_auditship/checkpoints/1", []byte("x"))
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "create_container") {
		t.Fatalf("PutMeta to a missing container: %v, want a permanent error naming create_container", err)
	}
	a.client.CreateContainer(ctx, o.meta, nil)
	if _, err := o.GetMeta(ctx, "_auditship/checkpoints/1"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("GetMeta of a missing blob: %v, want fs.ErrNotExist", err)
	}
	if _, err := o.Open(ctx, outputs.BatchRef{Key: o.meta + "/gone.ndjson.gz"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open of a missing batch: %v, want fs.ErrNotExist (verify reports it missing)", err)
	}
}

// TestAzuriteListSkipsMeta: chain files in a container of batches are
// never listed as batches, even with a pipeline's metadata.
func TestAzuriteListSkipsMeta(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { c.Name = "{{ batch_id }}" })
	ctx := context.Background()
	b := spooled(t, o, "orders", plugintest.Events(1, 2, "none"))
	write(t, o, b)
	if err := o.PutMeta(ctx, "_auditship/manifests/m.json", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	a.putWithPipeline(t, o.meta+"/_auditship/checkpoints/1", "orders")
	if c, _ := splitKey(b.Key); c != o.meta {
		t.Fatalf("batch in %s, chain files in %s: the test wants them together", c, o.meta)
	}
	if diff := cmp.Diff([]string{b.Key}, a.keys(t, o)); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	want := []string{"_auditship/checkpoints/1", "_auditship/manifests/m.json"}
	if diff := cmp.Diff(want, listMeta(t, o, "_auditship/")); diff != "" {
		t.Errorf("ListMeta (-want +got):\n%s", diff)
	}
}

// putWithPipeline stores a blob carrying pipeline's metadata, as a
// careless tool copying batches might.
func (a *azurite) putWithPipeline(t *testing.T, key, pipeline string) {
	t.Helper()
	c, name := splitKey(key)
	opts := azblob.UploadBufferOptions{Metadata: map[string]*string{"auditship_pipeline": &pipeline}}
	if _, err := a.client.UploadBuffer(context.Background(), c, name, []byte("x"), &opts); err != nil {
		t.Fatal(err)
	}
}
