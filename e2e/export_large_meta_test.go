package e2e

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/auditship/auditship/agent/chain"
)

// metaReader lists the names under a prefix and reads one.
type metaReader struct {
	list func(prefix string) []string
	get  func(name string) []byte
}

// newestTreeSize is the tree size after the newest manifest stored (the
// names sort in tree order), 0 when there is none yet.
func newestTreeSize(t *testing.T, r metaReader) int {
	t.Helper()
	names := r.list("_auditship/manifests/")
	if len(names) == 0 {
		return 0
	}
	slices.Sort(names)
	m, err := chain.ParseManifest(r.get(names[len(names)-1]))
	if err != nil {
		return 0 // being written
	}
	return int(m.SizeAfter)
}

func fileMeta(dir string) metaReader {
	return metaReader{
		list: func(prefix string) []string {
			var names []string
			_ = filepath.WalkDir(filepath.Join(dir, prefix), func(p string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
					names = append(names, p)
				}
				return nil
			})
			return names
		},
		get: func(name string) []byte { b, _ := os.ReadFile(name); return b },
	}
}

func s3Meta(st *s3Store) metaReader {
	return metaReader{
		list: func(prefix string) []string {
			var names []string
			for _, o := range s3List(st, prefix) {
				names = append(names, aws.ToString(o.Key))
			}
			return names
		},
		get: func(name string) []byte {
			out, err := st.srv.admin.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &st.bucket, Key: &name})
			if err != nil {
				return nil
			}
			defer out.Body.Close()
			b, _ := io.ReadAll(out.Body)
			return b
		},
	}
}

func s3List(st *s3Store, prefix string) []types.Object {
	var out []types.Object
	pager := s3.NewListObjectsV2Paginator(st.srv.admin, &s3.ListObjectsV2Input{Bucket: &st.bucket, Prefix: &prefix})
	for pager.HasMorePages() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			return out
		}
		out = append(out, page.Contents...)
	}
	return out
}

// s3Size sums the sizes of the bucket's objects under prefix.
func s3Size(t *testing.T, st *s3Store, prefix string) int64 {
	t.Helper()
	var n int64
	for _, o := range s3List(st, prefix) {
		n += aws.ToInt64(o.Size)
	}
	return n
}
