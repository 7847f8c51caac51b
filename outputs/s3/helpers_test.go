package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/auditship/auditship/internal/event"
	"github.com/auditship/auditship/internal/testenv"
	"github.com/auditship/auditship/outputs"
	"github.com/auditship/auditship/outputs/objectstore"
)

// server is the S3 gateway scripts/services.sh started.
type server struct {
	endpoint, access, secret string
	admin                    *s3.Client // creates buckets, reads behind the output's back
}

func needServer(t *testing.T) *server {
	t.Helper()
	v := testenv.Need(t, "AUDITSHIP_TEST_S3_ENDPOINT", "AUDITSHIP_TEST_S3_ACCESS_KEY", "AUDITSHIP_TEST_S3_SECRET_KEY")
	u, err := url.Parse(v[0])
	if err != nil {
		t.Fatalf("AUDITSHIP_TEST_S3_ENDPOINT: %v", err)
	}
	testenv.Reachable(t, u.Host)
	srv := &server{endpoint: v[0], access: v[1], secret: v[2]}
	client, err := newClient(context.Background(), srv.config("unused"))
	if err != nil {
		t.Fatal(err)
	}
	srv.admin = client
	return srv
}

// config is an s3 output config for bucket on the server, with static keys.
func (srv *server) config(bucket string) *Config {
	c := newConfig()
	c.Bucket, c.Endpoint, c.ForcePathStyle = bucket, srv.endpoint, true
	c.AccessKeyID, c.SecretAccessKey = srv.access, srv.secret
	return c
}

// bucket creates a bucket of its own for the test and empties it after.
func (srv *server) bucket(t *testing.T) string {
	t.Helper()
	name := newBucketName(t)
	if _, err := srv.admin.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	t.Cleanup(func() { srv.drop(name) })
	return name
}

func newBucketName(t *testing.T) string {
	var r [4]byte
	rand.Read(r[:])
	name := strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			return c
		}
		return '-'
	}, strings.ToLower(t.Name()))
	return fmt.Sprintf("t-%.40s-%x", strings.Trim(name, "-"), r)
}

func (srv *server) drop(bucket string) {
	ctx := context.Background()
	for _, k := range srv.keys(bucket) {
		srv.admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
	}
	srv.admin.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
}

// keys lists every key in bucket.
func (srv *server) keys(bucket string) []string {
	out, err := srv.admin.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// get reads an object with the admin client.
func (srv *server) get(t *testing.T, bucket, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := srv.admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return body, out
}

// newTestOutput creates an s3 output for pipeline "orders" from c.
func newTestOutput(t *testing.T, c *Config, extra ...func(*awsconfig.LoadOptions) error) *Output {
	t.Helper()
	return newPipelineOutput(t, "orders", c, extra...)
}

func newPipelineOutput(t *testing.T, pipeline string, c *Config, extra ...func(*awsconfig.LoadOptions) error) *Output {
	t.Helper()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	o, err := newOutput(context.Background(), outputs.Settings{Pipeline: pipeline, Name: "archive"}, c, extra...)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// batchOf makes the batch a sender without a journal would hand to o.
func batchOf(o *Output, evs []*event.Event) *event.Batch {
	first := evs[0].Seq
	return &event.Batch{
		Pipeline: o.Pipeline, Output: o.Output, Stream: "s1",
		ID: fmt.Sprintf("s1-%020d", first), FirstSeq: first, LastSeq: evs[len(evs)-1].Seq, Count: len(evs),
		Time: evs[0].Time, Partition: o.Partition(evs[0]), Events: evs,
	}
}

// spooled makes the batch a journaling sender hands to o: encoded with o's
// codec, keyed, hashed, events dropped.
func spooled(t *testing.T, o *Output, evs []*event.Event) (*event.Batch, []byte) {
	t.Helper()
	b := batchOf(o, evs)
	body := encode(t, o.Codec, evs)
	sum := sha256.Sum256(body)
	b.Key, b.Format, b.Compression, b.ContentType = o.Key(b), o.Codec.Format, o.Codec.Compression, o.Codec.ContentType()
	b.Body, b.Size, b.SHA256, b.Events = bytes.NewReader(body), int64(len(body)), hex.EncodeToString(sum[:]), nil
	return b, body
}

func encode(t *testing.T, c objectstore.Codec, evs []*event.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := objectstore.NewEncoder(&buf, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range evs {
		enc.Encode(e)
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
