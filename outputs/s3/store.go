package s3

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/auditship/auditship/outputs"
)

// List yields every object under prefix, in key order (S3 lists keys in
// UTF-8 binary order), with keys relative to prefix, except the integrity
// chain's files (under outputs.MetaPrefix). Each object's user metadata is
// fetched with HeadObject: verify needs it, and it tells the objects of
// other pipelines sharing the prefix, which are skipped. An object without
// auditship metadata is yielded (verify reports it).
func (o *Output) List(ctx context.Context, pipeline string) iter.Seq2[outputs.BatchRef, error] {
	return func(yield func(outputs.BatchRef, error) bool) {
		root := o.objectKey("")
		for key, err := range o.keys(ctx, root) {
			if err != nil {
				yield(outputs.BatchRef{}, err)
				return
			}
			if strings.HasPrefix(strings.TrimPrefix(key, root), outputs.MetaPrefix) {
				continue
			}
			ref, err := o.head(ctx, key)
			if err == nil && pipeline != "" && ref.Metadata["auditship_pipeline"] != "" &&
				ref.Metadata["auditship_pipeline"] != pipeline {
				continue
			}
			if !yield(ref, err) || err != nil {
				return
			}
		}
	}
}

// keys yields the full keys that start with prefix, in key order.
func (o *Output) keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		pages := s3.NewListObjectsV2Paginator(o.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(o.bucket), Prefix: aws.String(prefix),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield("", o.classify("list", prefix, err))
				return
			}
			for _, obj := range page.Contents {
				if !yield(aws.ToString(obj.Key), nil) {
					return
				}
			}
		}
	}
}

// head returns the ref of the object at key (a full key).
func (o *Output) head(ctx context.Context, key string) (outputs.BatchRef, error) {
	out, err := o.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(key)})
	if err != nil {
		return outputs.BatchRef{}, o.classify("head", key, err)
	}
	meta := make(map[string]string, len(out.Metadata))
	for k, v := range out.Metadata {
		meta[strings.ToLower(k)] = v // S3 folds case; some stores capitalise
	}
	rel := strings.TrimPrefix(key, o.objectKey(""))
	return outputs.BatchRef{Key: rel, Size: aws.ToInt64(out.ContentLength), Metadata: meta}, nil
}

// Open returns the stored bytes of ref, as written.
func (o *Output) Open(ctx context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	return o.get(ctx, o.objectKey(ref.Key))
}

// get opens an object; a missing one is an error wrapping fs.ErrNotExist
// (verify reports it as missing rather than stopping).
func (o *Output) get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := o.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(key)})
	if err != nil && noSuchKey(err) {
		return nil, fmt.Errorf("s3 get %s: %w", key, fs.ErrNotExist)
	}
	if err != nil {
		return nil, o.classify("get", key, err)
	}
	return out.Body, nil
}
