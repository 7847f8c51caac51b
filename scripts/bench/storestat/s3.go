package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Store is one bucket of an S3-compatible server, path-style.
type s3Store struct {
	c      *s3.Client
	bucket string
}

func newS3(endpoint, bucket, access, secret string) *s3Store {
	c := s3.New(s3.Options{
		BaseEndpoint:               aws.String(endpoint),
		UsePathStyle:               true,
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider(access, secret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &s3Store{c: c, bucket: bucket}
}

func (s *s3Store) create(ctx context.Context) error {
	_, err := s.c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &s.bucket})
	var owned *types.BucketAlreadyOwnedByYou
	if errors.As(err, &owned) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", s.bucket, err)
	}
	return nil
}

func (s *s3Store) list(ctx context.Context) ([]object, error) {
	var objs []object
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: &s.bucket})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", s.bucket, err)
		}
		for _, o := range page.Contents {
			objs = append(objs, object{name: aws.ToString(o.Key), size: aws.ToInt64(o.Size)})
		}
	}
	return objs, nil
}

func (s *s3Store) open(ctx context.Context, name string) (io.ReadCloser, error) {
	out, err := s.c.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &name})
	if err != nil {
		return nil, err
	}
	return out.Body, nil
}

func (s *s3Store) remove(ctx context.Context, objs []object) error {
	for _, o := range objs {
		if _, err := s.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &o.name}); err != nil {
			return fmt.Errorf("delete %s: %w", o.name, err)
		}
	}
	if _, err := s.c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &s.bucket}); err != nil {
		return fmt.Errorf("delete bucket %s: %w", s.bucket, err)
	}
	return nil
}
