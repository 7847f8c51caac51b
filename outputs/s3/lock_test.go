package s3

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/auditship/auditship/agent/config"
	"github.com/auditship/auditship/inputs"
	"github.com/auditship/auditship/inputs/stdin"
	"github.com/auditship/auditship/internal/plugintest"
	"github.com/auditship/auditship/internal/units"
	"github.com/auditship/auditship/outputs"
)

// TestObjectLock writes a batch and a chain file through an output with
// object_lock into a bucket with Object Lock enabled, on the real store:
// both carry the retention; re-sending them is still a success; and the
// locked bytes survive an overwrite and a delete of their version.
func TestObjectLock(t *testing.T) {
	srv := needServer(t)
	c := srv.config(srv.lockedBucket(t))
	c.Prefix, c.ObjectLock = "audit", &ObjectLock{Mode: "GOVERNANCE", Retain: "7y"}
	o := newTestOutput(t, c)
	ctx := context.Background()
	b, body := spooled(t, o, plugintest.Events(1, 3, "flow"))
	const name, manifest = "_auditship/manifests/m.json", `{"n":1}`
	from := time.Now()
	for range 2 { // the second is a re-send after a crash, into the lock
		if err := o.Write(ctx, b); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if err := o.PutMeta(ctx, name, []byte(manifest)); err != nil {
			t.Fatalf("PutMeta: %v", err)
		}
	}
	if err := o.PutMeta(ctx, name, []byte("other")); !outputs.IsPermanent(err) || !strings.Contains(err.Error(), "key conflict") {
		t.Errorf("PutMeta of other bytes over a locked file: %v, want a permanent key conflict", err)
	}
	lock := lockCheck{srv: srv, bucket: c.Bucket, from: from, to: time.Now(), versioned: srv.versioned(t, c.Bucket)}
	t.Logf("bucket versioning enabled: %v", lock.versioned)
	t.Run("batch", func(t *testing.T) { lock.check(t, "audit/"+b.Key, body) })
	t.Run("manifest", func(t *testing.T) { lock.check(t, "audit/"+name, []byte(manifest)) })
}

// lockCheck checks objects written between from and to with a GOVERNANCE
// retention of 7 years.
type lockCheck struct {
	srv       *server
	bucket    string
	from, to  time.Time
	versioned bool
}

func (l lockCheck) check(t *testing.T, key string, want []byte) {
	version := l.retention(t, key)
	_, err := l.srv.admin.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(l.bucket), Key: aws.String(key), Body: strings.NewReader("tampered")})
	switch {
	case l.versioned && err != nil:
		t.Errorf("overwrite in a versioned bucket: %v, want a new version", err)
	case !l.versioned && err == nil:
		t.Error("overwrite of a locked object succeeded in an unversioned bucket")
	}
	l.same(t, key, version, want)
	_, err = l.srv.admin.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String(l.bucket), Key: aws.String(key), VersionId: version})
	if err == nil {
		t.Error("delete of the locked version succeeded")
	} else if code, _ := apiCode(err); code != "AccessDenied" {
		t.Logf("delete of the locked version: %v", err)
	}
	l.same(t, key, version, want)
}

// retention checks the object's lock by HeadObject and GetObjectRetention,
// and returns its version (nil in an unversioned bucket).
func (l lockCheck) retention(t *testing.T, key string) *string {
	t.Helper()
	ctx := context.Background()
	head, err := l.srv.admin.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(l.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	l.lockedUntil(t, "HeadObject", head.ObjectLockMode, head.ObjectLockRetainUntilDate)
	ret, err := l.srv.admin.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String(l.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	l.lockedUntil(t, "GetObjectRetention", types.ObjectLockMode(ret.Retention.Mode), ret.Retention.RetainUntilDate)
	if !l.versioned {
		return nil
	}
	return head.VersionId
}

func (l lockCheck) lockedUntil(t *testing.T, op string, mode types.ObjectLockMode, until *time.Time) {
	t.Helper()
	lo, hi := l.from.Add(7*units.Year-time.Second), l.to.Add(7*units.Year+time.Second)
	if mode != types.ObjectLockModeGovernance || until == nil || until.Before(lo) || until.After(hi) {
		t.Errorf("%s: mode %q until %v, want GOVERNANCE until between %v and %v", op, mode, until, lo, hi)
	}
}

// same checks that the object's version (the current one when nil) still
// holds want.
func (l lockCheck) same(t *testing.T, key string, version *string, want []byte) {
	t.Helper()
	out, err := l.srv.admin.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(l.bucket), Key: aws.String(key), VersionId: version})
	if err != nil {
		t.Fatalf("get the locked version: %v", err)
	}
	defer out.Body.Close()
	if got, _ := io.ReadAll(out.Body); !bytes.Equal(got, want) {
		t.Errorf("the locked version holds %q, want the %d bytes written", got, len(want))
	}
}

// lockedBucket creates a bucket with Object Lock enabled. Its cleanup
// deletes every version, bypassing the GOVERNANCE retention.
func (srv *server) lockedBucket(t *testing.T) string {
	t.Helper()
	name := newBucketName(t)
	_, err := srv.admin.CreateBucket(context.Background(), &s3.CreateBucketInput{
		Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)})
	if err != nil {
		t.Fatalf("create bucket %s with Object Lock: %v", name, err)
	}
	t.Cleanup(func() { srv.dropLocked(name) })
	return name
}

func (srv *server) dropLocked(bucket string) {
	ctx := context.Background()
	out, err := srv.admin.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return
	}
	del := func(key, version *string) {
		if aws.ToString(version) == "null" { // unversioned: versitygw refuses "null"
			version = nil
		}
		srv.admin.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: key,
			VersionId: version, BypassGovernanceRetention: aws.Bool(true)})
	}
	for _, v := range out.Versions {
		del(v.Key, v.VersionId)
	}
	for _, m := range out.DeleteMarkers {
		del(m.Key, m.VersionId)
	}
	srv.admin.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
}

func (srv *server) versioned(t *testing.T, bucket string) bool {
	t.Helper()
	out, err := srv.admin.GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Status == types.BucketVersioningStatusEnabled
}

// TestObjectLockApply: without the block no retention is asked
// for; with it every put carries the mode and a date retain from now.
func TestObjectLockApply(t *testing.T) {
	var none *retention
	in := &s3.PutObjectInput{}
	none.apply(in)
	if in.ObjectLockMode != "" || in.ObjectLockRetainUntilDate != nil {
		t.Errorf("no object_lock: %+v", in)
	}
	r, err := (&ObjectLock{Mode: "COMPLIANCE", Retain: "90d"}).parse()
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	r.apply(in)
	until := aws.ToTime(in.ObjectLockRetainUntilDate)
	if in.ObjectLockMode != types.ObjectLockModeCompliance || until.Before(before.Add(90*units.Day)) ||
		until.After(time.Now().Add(90*units.Day)) {
		t.Errorf("object_lock COMPLIANCE 90d: mode %q until %v", in.ObjectLockMode, until)
	}
}

// TestObjectLockRequest checks the wire: a put with object_lock carries
// the mode, the date, the SHA-256 and its algorithm (AWS wants one with
// Object Lock), and stays create-only with a plain body.
func TestObjectLockRequest(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	c := newConfig()
	c.Bucket, c.Endpoint, c.ForcePathStyle, c.AccessKeyID, c.SecretAccessKey = "acme-audit", srv.URL, true, "AK", "SK"
	c.ObjectLock = &ObjectLock{Mode: "COMPLIANCE", Retain: "1y"}
	o := newTestOutput(t, c)
	if err := o.PutMeta(context.Background(), "_auditship/checkpoints/1", []byte("note")); err != nil {
		t.Fatal(err)
	}
	until, err := time.Parse(time.RFC3339, got.Get("X-Amz-Object-Lock-Retain-Until-Date"))
	if err != nil || time.Until(until) < units.Year-time.Minute || time.Until(until) > units.Year {
		t.Errorf("retain until %q, want a year from now", got.Get("X-Amz-Object-Lock-Retain-Until-Date"))
	}
	want := map[string]string{
		"X-Amz-Object-Lock-Mode": "COMPLIANCE", "X-Amz-Sdk-Checksum-Algorithm": "SHA256",
		"X-Amz-Checksum-Sha256": "7bRlYkKR5AU8bF6kt+syDex3PhClfSa5Xc8FZPjjEPg=", "If-None-Match": "*", "Content-Encoding": "",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.Get(k), v)
		}
	}
}

// TestObjectLockPositions: the loader reports object_lock's problems at
// the attribute, FILE:LINE:COL.
func TestObjectLockPositions(t *testing.T) {
	src := `pipeline "p" {
  input "stdin" "in" {}
  output "s3" "archive" {
    bucket = "acme-audit"
    object_lock {
      mode   = "governance"
      retain = "0d"
    }
  }
  output "s3" "other" {
    bucket = "acme-other"
    object_lock {
      mode = "COMPLIANCE"
    }
  }
}
`
	reg := config.Registry{
		Inputs:  map[string]inputs.Factory{"stdin": stdin.NewFactory()},
		Outputs: map[string]outputs.Factory{"s3": NewFactory()},
	}
	_, diags := config.LoadBytes("s3.hcl", []byte(src), reg)
	want := []string{
		`s3.hcl:6:16: object_lock.mode: must be "GOVERNANCE" or "COMPLIANCE", not "governance"`,
		`s3.hcl:7:16: object_lock.retain: must be longer than 0`,
		`s3.hcl:12:17: missing required attribute "retain"`,
	}
	if diff := cmp.Diff(want, strings.Split(diags.Error(), "\n")); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}
