package s3

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

// TestListOpen writes batches of two pipelines under one prefix (plus a
// stray object) and lists one pipeline back.
func TestListOpen(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Prefix, c.Key = "audit", "{{ pipeline }}/{{ batch_id }}"
	orders, billing := newTestOutput(t, c), newPipelineOutput(t, "billing", c)
	bodies := map[string][]byte{}
	for i, o := range []*Output{orders, billing, orders, orders} {
		b, body := spooled(t, o, plugintest.Events(10*i+1, 2, "flow"))
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		bodies[b.Key] = body
	}
	srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(c.Bucket), Key: aws.String("audit/stray.txt"), Body: strings.NewReader("x")})
	srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(c.Bucket), Key: aws.String("elsewhere.txt"), Body: strings.NewReader("x")})

	var keys []string
	for ref, err := range orders.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, ref.Key)
		checkRef(t, orders, ref, bodies[ref.Key])
	}
	want := []string{
		"orders/s1-00000000000000000001.ndjson.gz", "orders/s1-00000000000000000021.ndjson.gz",
		"orders/s1-00000000000000000031.ndjson.gz", "stray.txt",
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("listed keys (-want +got):\n%s", diff)
	}
}

func checkRef(t *testing.T, o *Output, ref outputs.BatchRef, want []byte) {
	t.Helper()
	if ref.Key == "stray.txt" {
		if ref.Size != 1 || len(ref.Metadata) != 0 {
			t.Errorf("stray object: %+v", ref)
		}
		return
	}
	if ref.Size != int64(len(want)) || ref.Metadata["auditship_pipeline"] != "orders" || ref.Metadata["auditship_sha256"] == "" {
		t.Errorf("ref %+v, want size %d and orders' metadata", ref, len(want))
	}
	rc, err := o.Open(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, _ := io.ReadAll(rc); !bytes.Equal(got, want) {
		t.Errorf("Open(%s) differs from what was written", ref.Key)
	}
}

func TestListMissingBucket(t *testing.T) {
	srv := needServer(t)
	o := newTestOutput(t, srv.config(newBucketName(t)))
	for _, err := range o.List(context.Background(), "orders") {
		if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "no such bucket") {
			t.Errorf("List of a missing bucket: %v", err)
		}
		return
	}
	t.Error("List of a missing bucket yielded nothing")
}

// TestCompressedObjectsOpenWithCLI proves stored objects open with the
// standard tools.
func TestCompressedObjectsOpenWithCLI(t *testing.T) {
	srv := needServer(t)
	bucket := srv.bucket(t)
	for _, comp := range []string{"gzip", "zstd"} {
		t.Run(comp, func(t *testing.T) {
			if _, err := exec.LookPath(comp); err != nil {
				t.Skipf("%s CLI not installed (scripts/services.sh installs zstd)", comp)
			}
			c := srv.config(bucket)
			c.Compression, c.Format = comp, "json_array"
			o := newTestOutput(t, c)
			evs := plugintest.Events(1, 3, "flow")
			b, _ := spooled(t, o, evs)
			if err := o.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			stored, _ := srv.get(t, bucket, b.Key)
			cmd := exec.Command(comp, "-dc")
			cmd.Stdin = bytes.NewReader(stored)
			got, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s -dc: %v", comp, err)
			}
			plain := o.Codec
			plain.Compression = "none"
			if diff := cmp.Diff(string(encode(t, plain, evs)), string(got)); diff != "" {
				t.Errorf("decompressed (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteEvents covers a sender without a journal: Write encodes the
// events or rendered lines itself, reusing its encoders.
func TestWriteEvents(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Compression = "zstd"
	o := newTestOutput(t, c)
	for i := range 2 {
		evs := plugintest.Events(10*i+1, 3, "flow")
		b := batchOf(o, evs)
		for range 2 {
			if err := o.Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
		}
		got, out := srv.get(t, c.Bucket, o.Key(b))
		if diff := cmp.Diff(encode(t, o.Codec, evs), got); diff != "" {
			t.Errorf("batch %d: content (-want +got):\n%s", i, diff)
		}
		if ct := aws.ToString(out.ContentType); ct != "application/zstd" {
			t.Errorf("Content-Type %q", ct)
		}
	}
}

// recorder notes every request's host and every address dialled, through
// the SDK's own HTTP client (which AWS_CA_BUNDLE, say, reconfigures).
type recorder struct {
	mu      sync.Mutex
	hosts   map[string]int
	dialled map[string]bool
}

func (r *recorder) client() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = func(req *http.Request) (*url.URL, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.hosts[req.URL.Host]++
			return nil, nil
		}
		dial := (&net.Dialer{}).DialContext
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			r.mu.Lock()
			r.dialled[addr] = true
			r.mu.Unlock()
			return dial(ctx, network, addr)
		}
	})
}

// TestOnlyTheEndpointIsContacted: with static keys the SDK reaches the
// configured endpoint and nothing else (no IMDS, no STS), even when the
// environment points at other credential sources.
func TestOnlyTheEndpointIsContacted(t *testing.T) {
	srv := needServer(t)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.2:1")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.2:2/creds")
	t.Setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token")
	rec := &recorder{hosts: map[string]int{}, dialled: map[string]bool{}}
	c := srv.config(srv.bucket(t))
	o := newTestOutput(t, c, awsconfig.WithHTTPClient(rec.client()))
	b, _ := spooled(t, o, plugintest.Events(1, 3, "flow"))
	for range 2 { // the second finds the key taken and reads it back
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	for _, err := range o.List(context.Background(), "orders") {
		if err != nil {
			t.Fatal(err)
		}
	}
	u, _ := url.Parse(srv.endpoint)
	if len(rec.hosts) != 1 || rec.hosts[u.Host] != 5 {
		t.Errorf("requests by host: %v, want 5 to %s only (put, put, get, list, head)", rec.hosts, u.Host)
	}
	if diff := cmp.Diff(map[string]bool{u.Host: true}, rec.dialled); diff != "" {
		t.Errorf("addresses dialled (-want +got):\n%s", diff)
	}
}

// TestDefaultChain: without static keys, credentials come from the AWS
// default chain (here the environment).
func TestDefaultChain(t *testing.T) {
	srv := needServer(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.secret)
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	c := srv.config(srv.bucket(t))
	c.AccessKeyID, c.SecretAccessKey = "", ""
	o := newTestOutput(t, c)
	b, _ := spooled(t, o, plugintest.Events(1, 3, "flow"))
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}
