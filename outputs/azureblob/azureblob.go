package azureblob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Output writes each batch as one block blob, create-only.
type Output struct {
	client          *azblob.Client
	names           *naming
	meta            string        // the container of the integrity chain's files
	hold            *immutability // nil without an immutability block
	createContainer bool
	lastContainer   atomic.Pointer[string] // of the last Write: what Probe asks about
}

func newOutput(s outputs.Settings, c *Config) (*Output, error) {
	p, err := c.parse()
	if err != nil {
		return nil, err
	}
	client, err := newClient(c, p.auth)
	if err != nil {
		return nil, err
	}
	o := &Output{client: client, names: newNaming(p, s.Pipeline, s.Name), hold: p.hold, createContainer: c.CreateContainer}
	if o.meta, err = o.names.metaContainer(); err != nil {
		return nil, err
	}
	return o, nil
}

// Partition groups events by the fields of both the container and the
// name templates.
func (o *Output) Partition(e *event.Event) string { return o.names.partition(e) }

// PartitionFields lists the event fields the two templates read.
func (o *Output) PartitionFields() []string {
	fs := slices.Clone(o.names.container.Fields())
	for _, f := range o.names.name.Fields() {
		if !slices.Contains(fs, f) {
			fs = append(fs, f)
		}
	}
	return fs
}

// Encoding is the codec the sender spools this output's batches with.
func (o *Output) Encoding() (format, compression string) {
	return o.names.codec.Format, o.names.codec.Compression
}

// Key is "CONTAINER/BLOB": the journal then records exactly where the
// batch goes, and it is the key List yields.
func (o *Output) Key(b *event.Batch) string { return o.names.key(b) }

// Write uploads the spooled batch b to b.Key with one Put Blob that fails
// if the blob exists. Finding the blob already holding b's sha256 is an
// earlier attempt's success; other data there is a permanent key conflict.
func (o *Output) Write(ctx context.Context, b *event.Batch) error {
	if b.Body == nil {
		return outputs.Permanent(fmt.Errorf("azure_blob: batch %s has no encoded body (the output is journaled)", b.ID))
	}
	container, name := splitKey(b.Key)
	if container == "" {
		return outputs.Rejected(fmt.Errorf("azure_blob: batch %s: %w", b.ID, o.names.containerError(b)))
	}
	o.lastContainer.Store(&container)
	err := o.upload(ctx, container, name, b.Body, b.Size, o.uploadOptions(metadata(b), b.ContentType))
	if exists(err) {
		return o.compare(ctx, container, name, b.SHA256)
	}
	return err
}

// upload puts one blob create-only, creating its container first when it
// is missing and create_container is set.
func (o *Output) upload(ctx context.Context, container, name string, body io.ReaderAt, size int64,
	opts *blockblob.UploadOptions) error {
	err := o.put(ctx, container, name, body, size, opts)
	if bloberror.HasCode(err, bloberror.ContainerNotFound) && o.createContainer {
		if err = o.create(ctx, container); err == nil {
			err = o.put(ctx, container, name, body, size, opts)
		}
	}
	return err
}

func (o *Output) put(ctx context.Context, container, name string, body io.ReaderAt, size int64,
	opts *blockblob.UploadOptions) error {
	rs := streaming.NopCloser(io.NewSectionReader(body, 0, size))
	_, err := o.client.ServiceClient().NewContainerClient(container).NewBlockBlobClient(name).Upload(ctx, rs, opts)
	return classify("put "+container+"/"+name, err)
}

// uploadOptions make a Put Blob create-only (If-None-Match: *) and set the
// immutability policy, if any.
func (o *Output) uploadOptions(md map[string]*string, contentType string) *blockblob.UploadOptions {
	opts := &blockblob.UploadOptions{
		Metadata:         md,
		HTTPHeaders:      &blob.HTTPHeaders{BlobContentType: &contentType},
		AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: to(azcore.ETagAny)}},
	}
	o.hold.apply(opts)
	return opts
}

// exists reports a create-only put that found its blob taken.
func exists(err error) bool {
	return bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet)
}

func (o *Output) create(ctx context.Context, container string) error {
	_, err := o.client.CreateContainer(ctx, container, nil)
	if bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil
	}
	return classify("create container "+container, err)
}

// compare decides a put that found its blob taken, by the sha256 in its
// metadata, or by its bytes if it has none.
func (o *Output) compare(ctx context.Context, container, name, ours string) error {
	bc := o.client.ServiceClient().NewContainerClient(container).NewBlobClient(name)
	props, err := bc.GetProperties(ctx, nil)
	if err != nil {
		return classify("read back "+container+"/"+name, err)
	}
	theirs := lookup(props.Metadata, "auditship_sha256")
	if theirs == "" {
		if theirs, err = o.hash(ctx, container, name); err != nil {
			return err
		}
	}
	if theirs != ours {
		return outputs.Permanent(fmt.Errorf("key conflict: %s/%s already holds other data (sha256 %s, this batch %s)",
			container, name, theirs, ours))
	}
	return nil
}

func (o *Output) hash(ctx context.Context, container, name string) (string, error) {
	rc, err := o.open(ctx, container, name)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return "", classify("read back "+container+"/"+name, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Close has nothing to release: every Write finishes its blob.
func (o *Output) Close(context.Context) error { return nil }

func metadata(b *event.Batch) map[string]*string {
	md := objectstore.Metadata(b)
	out := make(map[string]*string, len(md))
	for k, v := range md {
		out[k] = to(v)
	}
	return out
}

// lookup reads metadata key k whatever case the service or the SDK gave it
// (HTTP headers come back canonicalised, e.g. "Auditship_sha256").
func lookup(md map[string]*string, k string) string {
	for mk, v := range md {
		if strings.EqualFold(mk, k) && v != nil {
			return *v
		}
	}
	return ""
}

func to[T any](v T) *T { return &v }
