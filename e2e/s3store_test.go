package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/auditship/auditship/internal/testenv"
)

// s3Server is an S3 endpoint and its keys, with a client that reads and
// writes behind the agent's back.
type s3Server struct {
	endpoint, access, secret string
	host                     string // host:port of the endpoint
	admin                    *s3.Client
}

// sharedS3 is the gateway scripts/services.sh started.
func sharedS3(t *testing.T) *s3Server {
	t.Helper()
	v := testenv.Need(t, "AUDITSHIP_TEST_S3_ENDPOINT", "AUDITSHIP_TEST_S3_ACCESS_KEY", "AUDITSHIP_TEST_S3_SECRET_KEY")
	u, err := url.Parse(v[0])
	if err != nil {
		t.Fatalf("AUDITSHIP_TEST_S3_ENDPOINT: %v", err)
	}
	testenv.Reachable(t, u.Host)
	return newS3Server(v[0], v[1], v[2])
}

// privateS3 starts a versitygw of the test's own (posix backend in a temp
// dir), with the shared gateway's keys.
func privateS3(t *testing.T) (*s3Server, *privateServer) {
	t.Helper()
	shared := sharedS3(t)
	bin := toolPath(t, "AUDITSHIP_VERSITYGW", filepath.Join("bin", "versitygw*"))
	port := freePort(t)
	ps := startPrivate(t, "versitygw", port, bin, "--access", shared.access, "--secret", shared.secret,
		"--port", "127.0.0.1:"+strconv.Itoa(port), "--quiet", "posix", t.TempDir())
	return newS3Server("http://"+ps.addr, shared.access, shared.secret), ps
}

func newS3Server(endpoint, access, secret string) *s3Server {
	u, _ := url.Parse(endpoint)
	admin := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(access, secret, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return &s3Server{endpoint: endpoint, access: access, secret: secret, host: u.Host, admin: admin}
}

// s3Store is one bucket of a test. The agent reaches it at endpoint,
// which a gate may stand in front of.
type s3Store struct {
	srv      *s3Server
	bucket   string
	endpoint string
	secret   string // what the agent is given
}

// store names a fresh bucket; create makes it now (else see create).
func (srv *s3Server) store(t *testing.T, create bool) *s3Store {
	t.Helper()
	var r [4]byte
	rand.Read(r[:])
	st := &s3Store{srv: srv, endpoint: srv.endpoint, secret: srv.secret,
		bucket: "e2e-" + strings.ToLower(hex.EncodeToString(r[:]))}
	if create {
		st.create(t)
	}
	t.Cleanup(func() {
		if !t.Failed() { // a failed test's bucket is kept to look at
			st.drop()
		}
	})
	return st
}

func (st *s3Store) drop() {
	ctx, b := context.Background(), aws.String(st.bucket)
	pager := s3.NewListObjectsV2Paginator(st.srv.admin, &s3.ListObjectsV2Input{Bucket: b})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			break
		}
		for _, o := range page.Contents {
			st.srv.admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: o.Key})
		}
	}
	st.srv.admin.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
}

func (st *s3Store) create(t *testing.T) {
	t.Helper()
	_, err := st.srv.admin.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(st.bucket)})
	if err != nil {
		t.Fatalf("create bucket %s: %v", st.bucket, err)
	}
}

func (st *s3Store) output(o storeOpts) string {
	return fmt.Sprintf(`  output "s3" %q {
    bucket            = %q
    endpoint          = %q
    force_path_style  = true
    access_key_id     = %q
    secret_access_key = %q
    key               = %q
`, o.outputName(), st.bucket, st.endpoint, st.srv.access, st.secret, h2rKey) + o.common()
}

// objects lists the bucket and reads every object with its metadata.
func (st *s3Store) objects(t *testing.T) []object {
	t.Helper()
	ctx := context.Background()
	var out []object
	pager := s3.NewListObjectsV2Paginator(st.srv.admin, &s3.ListObjectsV2Input{Bucket: aws.String(st.bucket)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatalf("list bucket %s: %v", st.bucket, err)
		}
		for _, o := range page.Contents {
			if !strings.HasPrefix(aws.ToString(o.Key), chainPrefix) {
				out = append(out, st.get(t, aws.ToString(o.Key)))
			}
		}
	}
	return out
}

func (st *s3Store) get(t *testing.T, key string) object {
	t.Helper()
	res, err := st.srv.admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(st.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	meta := map[string]string{}
	for k, v := range res.Metadata {
		meta[strings.ToLower(k)] = v
	}
	return object{key: key, body: body, meta: meta}
}

func (st *s3Store) put(t *testing.T, key string, body []byte) {
	t.Helper()
	_, err := st.srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(st.bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}
