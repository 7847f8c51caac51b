package s3

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestProbeBucket: against the gateway, the probe fails while the bucket
// does not exist and passes once it does.
func TestProbeBucket(t *testing.T) {
	srv := needServer(t)
	name := newBucketName(t)
	o := newTestOutput(t, srv.config(name))
	ctx := context.Background()
	if err := o.Probe(ctx); err == nil {
		t.Fatal("probe passed for a bucket that does not exist")
	}
	if _, err := srv.admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() { srv.drop(name) })
	if err := o.Probe(ctx); err != nil {
		t.Errorf("probe after the bucket was created: %v", err)
	}
}

// TestProbeWrongSecret: a gateway that refuses the credentials is not a
// store that is back.
func TestProbeWrongSecret(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.SecretAccessKey = "not-the-secret"
	if err := newTestOutput(t, c).Probe(context.Background()); err == nil {
		t.Error("probe passed with a wrong secret key")
	}
}

// TestProbeStoreDown: nothing listening fails the probe at once (one try,
// no SDK retries); a store that takes the request and never answers fails
// it within the probe's timeout.
func TestProbeStoreDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	stop := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stop }))
	defer silent.Close()
	defer close(stop)

	for _, tc := range []struct {
		name, endpoint string
		within         time.Duration
	}{
		{"closed port", closed, time.Second},
		{"silent store", silent.URL, probeTimeout + time.Second},
	} {
		c := newConfig()
		c.Bucket, c.Endpoint, c.ForcePathStyle, c.AccessKeyID, c.SecretAccessKey = "acme-audit", tc.endpoint, true, "AK", "SK"
		start := time.Now()
		err := newTestOutput(t, c).Probe(context.Background())
		if d := time.Since(start); err == nil || d > tc.within {
			t.Errorf("%s: probe = %v after %v; want an error within %v", tc.name, err, d, tc.within)
		}
	}
}
