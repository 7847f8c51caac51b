// Package s3 is the `s3` output: one object per batch in an S3 bucket (AWS
// or an S3-compatible store), written create-only with one PutObject.
package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// Output writes each batch to its own object under bucket/prefix.
type Output struct {
	client *s3.Client
	bucket string
	prefix string // without trailing "/"; "" for the bucket's root
	objectstore.Naming
	sse      types.ServerSideEncryption
	kmsKeyID *string
	lock     *retention // nil without object_lock

	scratches sync.Pool // *scratch, for batches Write encodes itself
}

func newOutput(ctx context.Context, s outputs.Settings, c *Config, extra ...func(*awsconfig.LoadOptions) error) (*Output, error) {
	p, err := c.parse()
	if err != nil {
		return nil, err
	}
	client, err := newClient(ctx, c, extra...)
	if err != nil {
		return nil, err
	}
	o := &Output{
		client: client, bucket: c.Bucket, prefix: c.prefix(),
		Naming: objectstore.Naming{Codec: p.codec, Template: p.key, Pipeline: s.Pipeline, Output: s.Name},
		sse:    types.ServerSideEncryption(c.ServerSideEncryption), lock: p.lock,
	}
	if c.KMSKeyID != "" {
		o.kmsKeyID = aws.String(c.KMSKeyID)
	}
	return o, nil
}

// objectKey is the full key of rel in the bucket.
func (o *Output) objectKey(rel string) string {
	if o.prefix == "" {
		return rel
	}
	return o.prefix + "/" + rel
}

// Write stores b in one new object: the spooled bytes of a journaled batch
// (b.Body), else b's events encoded now. Writing the same batch again is a
// success that leaves one object; a different object under its key is a
// permanent key conflict.
func (o *Output) Write(ctx context.Context, b *event.Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if b.Body == nil {
		enc, s, err := o.encode(b)
		if err != nil {
			return err
		}
		defer o.scratches.Put(s)
		b = enc
	}
	return o.put(ctx, o.batchObject(b))
}

// object is what one create-only PutObject stores: a batch or a chain file.
type object struct {
	key         string // full key
	body        io.ReaderAt
	size        int64
	sha256      string // hex; the store checks it, compare relies on it
	contentType string
	metadata    map[string]string
}

// batchObject is the object that stores b.
func (o *Output) batchObject(b *event.Batch) object {
	meta := objectstore.Metadata(b)
	if b.Pipeline == "" {
		meta["auditship_pipeline"] = o.Pipeline
	}
	return object{key: o.objectKey(b.Key), body: b.Body, size: b.Size, sha256: b.SHA256,
		contentType: contentType(b, o.Codec), metadata: meta}
}

// put sends one create-only PutObject; a key already taken is compared
// with the object.
func (o *Output) put(ctx context.Context, obj object) error {
	in, err := o.putInput(obj)
	if err != nil {
		return err
	}
	_, err = o.client.PutObject(ctx, in)
	switch {
	case err == nil:
		return nil
	case isStatus(err, []string{"PreconditionFailed", "ConditionalRequestConflict"}, 412, 409):
		return o.compare(ctx, obj)
	case isStatus(err, []string{"AccessDenied"}):
		return o.deniedPut(ctx, obj, err)
	}
	return o.classify("put", obj.key, err)
}

func (o *Output) putInput(obj object) (*s3.PutObjectInput, error) {
	sum, err := hex.DecodeString(obj.sha256)
	if err != nil || len(sum) != 32 {
		return nil, outputs.Rejected(fmt.Errorf("s3 put %s: sha256 %q is not a hex SHA-256", obj.key, obj.sha256))
	}
	in := &s3.PutObjectInput{
		Bucket: aws.String(o.bucket), Key: aws.String(obj.key),
		Body: io.NewSectionReader(obj.body, 0, obj.size), ContentLength: aws.Int64(obj.size),
		ContentType:    aws.String(obj.contentType),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
		Metadata:       obj.metadata, IfNoneMatch: aws.String("*"),
		ServerSideEncryption: o.sse, SSEKMSKeyId: o.kmsKeyID,
	}
	o.lock.apply(in)
	return in, nil
}

// contentType is the journaled batch's type; a batch without one is typed
// by its own codec, then by the output's.
func contentType(b *event.Batch, c objectstore.Codec) string {
	switch {
	case b.ContentType != "":
		return b.ContentType
	case b.Format != "":
		return objectstore.Codec{Format: b.Format, Compression: b.Compression}.ContentType()
	}
	return c.ContentType()
}

// Close has nothing to release: every Write finishes its object.
func (o *Output) Close(context.Context) error { return nil }
