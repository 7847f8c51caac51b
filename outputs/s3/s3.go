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

	scratches sync.Pool // *scratch, for batches Write encodes itself
}

func newOutput(ctx context.Context, s outputs.Settings, c *Config, extra ...func(*awsconfig.LoadOptions) error) (*Output, error) {
	codec, tmpl, err := c.parse()
	if err != nil {
		return nil, err
	}
	client, err := newClient(ctx, c, extra...)
	if err != nil {
		return nil, err
	}
	o := &Output{
		client: client, bucket: c.Bucket, prefix: c.prefix(),
		Naming: objectstore.Naming{Codec: codec, Template: tmpl, Pipeline: s.Pipeline, Output: s.Name},
		sse:    types.ServerSideEncryption(c.ServerSideEncryption),
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
	return o.put(ctx, b)
}

// put sends one create-only PutObject; a key already taken is compared
// with the batch.
func (o *Output) put(ctx context.Context, b *event.Batch) error {
	key := o.objectKey(b.Key)
	in, err := o.putInput(key, b)
	if err != nil {
		return err
	}
	_, err = o.client.PutObject(ctx, in)
	switch {
	case err == nil:
		return nil
	case isStatus(err, []string{"PreconditionFailed", "ConditionalRequestConflict"}, 412, 409):
		return o.compare(ctx, key, b)
	}
	return o.classify("put", key, err)
}

func (o *Output) putInput(key string, b *event.Batch) (*s3.PutObjectInput, error) {
	sum, err := hex.DecodeString(b.SHA256)
	if err != nil || len(sum) != 32 {
		return nil, outputs.Rejected(fmt.Errorf("s3 put %s: batch sha256 %q is not a hex SHA-256", key, b.SHA256))
	}
	meta := objectstore.Metadata(b)
	if b.Pipeline == "" {
		meta["auditship_pipeline"] = o.Pipeline
	}
	return &s3.PutObjectInput{
		Bucket: aws.String(o.bucket), Key: aws.String(key),
		Body: io.NewSectionReader(b.Body, 0, b.Size), ContentLength: aws.Int64(b.Size),
		ContentType:    aws.String(contentType(b, o.Codec)),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum)),
		Metadata:       meta, IfNoneMatch: aws.String("*"),
		ServerSideEncryption: o.sse, SSEKMSKeyId: o.kmsKeyID,
	}, nil
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
