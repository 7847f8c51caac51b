package s3

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/outputs"
)

const wantKey = "audit/orders/2024/05/13/orders_20240513T080001Z_s1-00000000000000000001.ndjson.gz"

func TestWriteReadBack(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	c.Prefix = "audit/"
	o := newTestOutput(t, c)
	b, body := spooled(t, o, plugintest.Events(1, 3, "flow"))
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{wantKey}, srv.keys(c.Bucket)); diff != "" {
		t.Fatalf("keys (-want +got):\n%s", diff)
	}
	got, out := srv.get(t, c.Bucket, wantKey)
	if !bytes.Equal(got, body) {
		t.Errorf("stored %d bytes differ from the %d spooled", len(got), len(body))
	}
	if ct, ce := aws.ToString(out.ContentType), aws.ToString(out.ContentEncoding); ct != "application/gzip" || ce != "" {
		t.Errorf("Content-Type %q, Content-Encoding %q; want application/gzip and none", ct, ce)
	}
	want := map[string]string{
		"auditship_stream": "s1", "auditship_pipeline": "orders", "auditship_batch_id": "s1-00000000000000000001",
		"auditship_first_seq": "1", "auditship_last_seq": "3", "auditship_count": "3", "auditship_sha256": b.SHA256,
	}
	if diff := cmp.Diff(want, lower(out.Metadata)); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
}

func lower(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// TestIfNoneMatchHonoured checks the store itself: a second create-only
// PutObject to a taken key fails with 412, which create-only rests on.
func TestIfNoneMatchHonoured(t *testing.T) {
	srv := needServer(t)
	bucket := srv.bucket(t)
	put := func(body string) error {
		_, err := srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader(body),
			IfNoneMatch: aws.String("*"),
		})
		return err
	}
	if err := put("first"); err != nil {
		t.Fatal(err)
	}
	err := put("second")
	if code, status := apiCode(err); status != 412 {
		t.Fatalf("second create-only put: %v (code %q, status %d), want 412", err, code, status)
	}
	if got, _ := srv.get(t, bucket, "k"); string(got) != "first" {
		t.Errorf("object is %q after a refused put", got)
	}
}

func TestWriteAgainIsIdempotent(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	o := newTestOutput(t, c)
	b, _ := spooled(t, o, plugintest.Events(1, 3, "flow"))
	for i := range 3 {
		if err := o.Write(context.Background(), b); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if got := srv.keys(c.Bucket); len(got) != 1 {
		t.Errorf("after three writes of one batch: %q, want one object", got)
	}
}

func TestWriteKeyConflict(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	o := newTestOutput(t, c)
	tests := []struct{ name, other string }{
		{"different size", "someone else's data\n"},
		{"same size", ""}, // filled below: as long as the batch, other bytes
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, body := spooled(t, o, plugintest.Events(10*i+1, 3, "flow"))
			if tt.other == "" {
				tt.other = strings.Repeat("x", len(body))
			}
			key := b.Key
			srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String(c.Bucket), Key: aws.String(key), Body: strings.NewReader(tt.other)})
			err := o.Write(context.Background(), b)
			if err == nil || !strings.Contains(err.Error(), "key conflict") || !strings.Contains(err.Error(), key) {
				t.Fatalf("Write over another object: %v, want a key conflict naming %s", err, key)
			}
			if !outputs.IsPermanent(err) {
				t.Error("key conflict is not permanent")
			}
			if got, _ := srv.get(t, c.Bucket, key); string(got) != tt.other {
				t.Errorf("existing object changed to %q", got)
			}
		})
	}
}

func TestWrongCredentials(t *testing.T) {
	srv := needServer(t)
	bucket := srv.bucket(t)
	tests := []struct {
		name, access, secret, want string
	}{
		{"wrong secret", srv.access, "wrong-secret-xyzzy", "s3 bucket " + bucket + ": signature mismatch"},
		{"unknown key", "nobody-xyzzy", "wrong-secret-xyzzy", "s3 bucket " + bucket + ": unknown access key id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := srv.config(bucket)
			c.AccessKeyID, c.SecretAccessKey = tt.access, tt.secret
			o := newTestOutput(t, c)
			b, _ := spooled(t, o, plugintest.Events(1, 1, "flow"))
			err := o.Write(context.Background(), b)
			if !outputs.IsPermanent(err) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Write = %v, want a permanent error starting %q", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.secret) || strings.Contains(err.Error(), srv.secret) {
				t.Errorf("error quotes a secret: %v", err)
			}
		})
	}
}

// TestMissingBucketRecovers is the re-probe path: no such bucket holds the
// output; once the bucket exists the same batch goes through.
func TestMissingBucketRecovers(t *testing.T) {
	srv := needServer(t)
	bucket := newBucketName(t)
	o := newTestOutput(t, srv.config(bucket))
	b, _ := spooled(t, o, plugintest.Events(1, 2, "flow"))
	err := o.Write(context.Background(), b)
	if !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "s3 bucket "+bucket+": no such bucket") {
		t.Fatalf("Write to a missing bucket = %v, want a permanent no such bucket", err)
	}
	if _, err := srv.admin.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.drop(bucket) })
	if err := o.Write(context.Background(), b); err != nil {
		t.Fatalf("Write once the bucket exists: %v", err)
	}
}

func TestWriteCanceled(t *testing.T) {
	srv := needServer(t)
	o := newTestOutput(t, srv.config(srv.bucket(t)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b, _ := spooled(t, o, plugintest.Events(1, 1, "flow"))
	if err := o.Write(ctx, b); !errors.Is(err, context.Canceled) || outputs.IsPermanent(err) {
		t.Fatalf("Write with a canceled context: %v", err)
	}
}

// TestDamagedSpoolIsRejected sends bytes that do not match their journaled
// sha256: the store checks the checksum we send and keeps nothing, and the
// batch is dead-lettered rather than retried forever.
func TestDamagedSpoolIsRejected(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.bucket(t))
	o := newTestOutput(t, c)
	for _, sum := range []string{strings.Repeat("ab", 32), "not hex"} {
		b, _ := spooled(t, o, plugintest.Events(1, 3, "flow"))
		b.SHA256 = sum
		if err := o.Write(context.Background(), b); !outputs.IsRejected(err) {
			t.Errorf("sha256 %q: Write = %v, want a rejected batch", sum, err)
		}
	}
	if got := srv.keys(c.Bucket); len(got) != 0 {
		t.Errorf("objects stored: %q", got)
	}
}
