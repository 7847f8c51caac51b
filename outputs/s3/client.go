package s3

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// sdkAttempts bounds the SDK's own retries: the agent's sender retries
// forever with its own backoff, and must hear of an outage soon.
const sdkAttempts = 3

// responseTimeout bounds the wait for a response once the request is sent.
var responseTimeout = 2 * time.Minute // a var for the tests

// newClient builds the S3 client. Static keys, when given, are the only
// credentials consulted, and IMDS is then never contacted; without them
// the AWS default chain applies (env, shared files, web identity, IMDS).
func newClient(ctx context.Context, c *Config, extra ...func(*awsconfig.LoadOptions) error) (*s3.Client, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(c.Region),
		awsconfig.WithRetryer(newRetryer),
		awsconfig.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
			// The sender gives Write no deadline: a store that takes a body
			// and never answers must not hold the output forever.
			tr.ResponseHeaderTimeout = responseTimeout
		})),
		// We send our own SHA-256 checksum; no CRC32 on top, no
		// aws-chunked bodies that S3-compatible stores may not take.
		awsconfig.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		awsconfig.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if c.AccessKeyID != "" {
		opts = append(opts,
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
				c.AccessKeyID, c.SecretAccessKey, c.SessionToken)),
			awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("s3 output: load AWS configuration: %w", err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if c.Endpoint != "" {
			o.BaseEndpoint = aws.String(c.Endpoint)
		}
		o.UsePathStyle = c.ForcePathStyle
	}), nil
}

// newRetryer retries throttling, 5xx and network errors a few times with
// short jittered backoff, without the client-side retry quota (the
// sender's backoff already spaces out attempts).
func newRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = sdkAttempts
		o.MaxBackoff = 2 * time.Second
		o.RateLimiter = ratelimit.None
	})
}
