package s3

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// probeTimeout bounds a Probe, credential lookup included.
const probeTimeout = 2 * time.Second

// Probe reports whether the bucket answers again: one HeadBucket, tried
// once (no SDK retries) within probeTimeout. The sender calls it between
// retries and writes again as soon as it passes. Its error is classified
// as Write's would be, but only describes the failure: any error means
// "not yet", and only a Write's error decides the output's state. It never
// logs. HeadBucket needs s3:ListBucket on the bucket; without it the probe
// never passes and delivery resumes on the backoff schedule alone.
func (o *Output) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	_, err := o.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(o.bucket)}, onlyOnce)
	if err != nil {
		return o.classify("head bucket", o.bucket, err)
	}
	return nil
}

func onlyOnce(o *s3.Options) { o.RetryMaxAttempts = 1 }

// The agent's sender probes any output with this method (agent/delivery/write.go);
// plugins do not import agent, so the shape is spelled out here.
var _ interface{ Probe(context.Context) error } = (*Output)(nil)
