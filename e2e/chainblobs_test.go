package e2e

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// dirBlobs is a file output's directory: keys are paths under it.
type dirBlobs string

func (d dirBlobs) path(key string) string { return filepath.Join(string(d), filepath.FromSlash(key)) }

func (d dirBlobs) get(t *testing.T, key string) object {
	t.Helper()
	b, err := os.ReadFile(d.path(key))
	if err != nil {
		t.Fatal(err)
	}
	return object{key: key, body: b}
}

func (d dirBlobs) write(t *testing.T, obj object) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(d.path(obj.key)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.path(obj.key), obj.body, 0o600); err != nil {
		t.Fatal(err)
	}
}

func (d dirBlobs) remove(t *testing.T, key string) {
	t.Helper()
	if err := os.Remove(d.path(key)); err != nil {
		t.Fatal(err)
	}
}

func (d dirBlobs) names(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(d.path(prefix), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(string(d), path)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// copyDir copies a file output's directory whole.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// s3Blobs is a bucket, read and written with the admin client.
type s3Blobs struct{ st *s3Store }

func (b s3Blobs) get(t *testing.T, key string) object { return b.st.get(t, key) }

func (b s3Blobs) write(t *testing.T, obj object) {
	t.Helper()
	_, err := b.st.srv.admin.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(b.st.bucket),
		Key: aws.String(obj.key), Body: bytes.NewReader(obj.body), Metadata: obj.meta})
	if err != nil {
		t.Fatalf("put %s: %v", obj.key, err)
	}
}

func (b s3Blobs) remove(t *testing.T, key string) {
	t.Helper()
	_, err := b.st.srv.admin.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(b.st.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("delete %s: %v", key, err)
	}
}

func (b s3Blobs) names(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	pager := s3.NewListObjectsV2Paginator(b.st.srv.admin, &s3.ListObjectsV2Input{Bucket: aws.String(b.st.bucket), Prefix: aws.String(prefix)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatalf("list %s: %v", b.st.bucket, err)
		}
		for _, o := range page.Contents {
			out = append(out, aws.ToString(o.Key))
		}
	}
	sort.Strings(out)
	return out
}

// copyBucket copies every object of src into a new bucket of the same
// server, with its metadata: keys are relative to the bucket, so the
// manifests name the copy's objects.
func copyBucket(t *testing.T, src *s3Store) *s3Store {
	t.Helper()
	dst := src.srv.store(t, true)
	from, to := s3Blobs{src}, s3Blobs{dst}
	err := parallel(from.names(t, ""), func(key string) error {
		obj, err := getS3(src, key)
		if err == nil {
			_, err = dst.srv.admin.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(dst.bucket),
				Key: aws.String(key), Body: bytes.NewReader(obj.body), Metadata: obj.meta})
		}
		return err
	})
	if err != nil {
		t.Fatalf("copy bucket %s to %s: %v", src.bucket, dst.bucket, err)
	}
	if n, m := len(from.names(t, "")), len(to.names(t, "")); n != m {
		t.Fatalf("copied %d of %d objects", m, n)
	}
	return dst
}

// getS3 is s3Store.get for a goroutine: errors are returned.
func getS3(st *s3Store, key string) (object, error) {
	res, err := st.srv.admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(st.bucket), Key: aws.String(key)})
	if err != nil {
		return object{}, err
	}
	defer res.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(res.Body); err != nil {
		return object{}, err
	}
	return object{key: key, body: body.Bytes(), meta: res.Metadata}, nil
}

// azBlobs is the containers of an azStore: a batch key is CONTAINER/BLOB,
// a chain file lives in the chain's container (the container template
// rendered without an event: PREFIX-none).
type azBlobs struct{ st *azStore }

func (b azBlobs) metaContainer() string { return b.st.prefix + "-none" }

// where splits a key into its container and blob.
func (b azBlobs) where(key string) (string, string) {
	if strings.HasPrefix(key, chainPrefix) {
		return b.metaContainer(), key
	}
	c, blob, _ := strings.Cut(key, "/")
	return c, blob
}

func (b azBlobs) get(t *testing.T, key string) object {
	t.Helper()
	c, blob := b.where(key)
	obj := b.st.get(t, c, blob)
	obj.key = key
	return obj
}

func (b azBlobs) write(t *testing.T, obj object) {
	t.Helper()
	c, blob := b.where(obj.key)
	if err := uploadBlob(b.st.srv.admin, c, blob, obj); err != nil {
		t.Fatalf("upload %s/%s: %v", c, blob, err)
	}
}

func uploadBlob(admin *azblob.Client, container, blob string, obj object) error {
	meta := map[string]*string{}
	for k, v := range obj.meta {
		meta[k] = &v
	}
	_, err := admin.UploadBuffer(context.Background(), container, blob, obj.body, &azblob.UploadBufferOptions{Metadata: meta})
	return err
}

func (b azBlobs) remove(t *testing.T, key string) {
	t.Helper()
	c, blob := b.where(key)
	if _, err := b.st.srv.admin.DeleteBlob(context.Background(), c, blob, nil); err != nil {
		t.Fatalf("delete %s/%s: %v", c, blob, err)
	}
}

func (b azBlobs) names(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := blobNames(b.st.srv.admin, b.metaContainer(), prefix)
	if err != nil {
		t.Fatalf("list %s: %v", b.metaContainer(), err)
	}
	return out
}

// blobNames lists a container's blobs under prefix, sorted.
func blobNames(admin *azblob.Client, container, prefix string) ([]string, error) {
	var out []string
	pager := admin.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			return nil, err
		}
		for _, it := range page.Segment.BlobItems {
			out = append(out, *it.Name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// copyContainers copies every container of src (data and chain) into
// dst, another account of the same Azurite, under the same names: a
// batch key names its container, so only another account gives the
// manifests' keys the copy's blobs.
func copyContainers(t *testing.T, src *azStore, dst *azServer) *azStore {
	t.Helper()
	type blobRef struct{ container, name string }
	var refs []blobRef
	for _, c := range src.containers(t) {
		if _, err := dst.admin.CreateContainer(context.Background(), c, nil); err != nil {
			t.Fatalf("create container %s in account %s: %v", c, dst.account, err)
		}
		names, err := blobNames(src.srv.admin, c, "")
		if err != nil {
			t.Fatalf("list %s: %v", c, err)
		}
		for _, n := range names {
			refs = append(refs, blobRef{c, n})
		}
	}
	err := parallel(refs, func(r blobRef) error {
		obj, err := downloadBlob(src.srv.admin, r.container, r.name)
		if err == nil {
			err = uploadBlob(dst.admin, r.container, r.name, obj)
		}
		return err
	})
	if err != nil {
		t.Fatalf("copy blobs to account %s: %v", dst.account, err)
	}
	return &azStore{srv: dst, prefix: src.prefix, container: src.container, url: dst.url, key: dst.key, create: true}
}

// downloadBlob is azStore.get for a goroutine: errors are returned.
func downloadBlob(admin *azblob.Client, container, blob string) (object, error) {
	res, err := admin.DownloadStream(context.Background(), container, blob, nil)
	if err != nil {
		return object{}, err
	}
	defer res.Body.Close()
	var body bytes.Buffer
	if _, err := body.ReadFrom(res.Body); err != nil {
		return object{}, err
	}
	meta := map[string]string{}
	for k, v := range res.Metadata {
		if v != nil {
			meta[strings.ToLower(k)] = *v
		}
	}
	return object{key: container + "/" + blob, body: body.Bytes(), meta: meta}, nil
}
