package azureblob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"

	"github.com/auditship/auditship/outputs"
)

var _ outputs.MetaStore = (*Output)(nil)

// PutMeta stores an integrity chain file as blob name of the meta
// container, create-only as a batch is, with the same immutability policy
// (and the container created as for batches): the same bytes already
// there are a success, other bytes a key conflict.
func (o *Output) PutMeta(ctx context.Context, name string, data []byte) error {
	if !strings.HasPrefix(name, outputs.MetaPrefix) {
		return fmt.Errorf("put %s/%s: a chain file's name must start with %s", o.meta, name, outputs.MetaPrefix)
	}
	err := o.upload(ctx, o.meta, name, bytes.NewReader(data), int64(len(data)), o.uploadOptions(nil, metaContentType(name)))
	if exists(err) {
		return o.compareMeta(ctx, name, data)
	}
	return err
}

// metaContentType types a chain file by its name: manifests are JSON,
// checkpoints signed notes (text).
func metaContentType(name string) string {
	if strings.HasSuffix(name, ".json") {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}

// compareMeta decides a PutMeta that found its blob taken, by its bytes.
func (o *Output) compareMeta(ctx context.Context, name string, data []byte) error {
	theirs, err := o.GetMeta(ctx, name)
	if err != nil {
		return err
	}
	if !bytes.Equal(theirs, data) {
		return outputs.Permanent(fmt.Errorf("key conflict: %s/%s already holds other data (sha256 %x, ours %x)",
			o.meta, name, sha256.Sum256(theirs), sha256.Sum256(data)))
	}
	return nil
}

// GetMeta returns the bytes of blob name of the meta container; a missing
// blob or container is an error wrapping fs.ErrNotExist.
func (o *Output) GetMeta(ctx context.Context, name string) ([]byte, error) {
	body, err := o.open(ctx, o.meta, name)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, classify("get "+o.meta+"/"+name, err)
	}
	return data, nil
}

// ListMeta yields the meta container's blob names that start with dir, in
// name order; a missing container holds none.
func (o *Output) ListMeta(ctx context.Context, dir string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		pager := o.client.NewListBlobsFlatPager(o.meta, &azblob.ListBlobsFlatOptions{Prefix: &dir})
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if bloberror.HasCode(err, bloberror.ContainerNotFound) {
				return
			}
			if err != nil {
				yield("", classify("list "+o.meta, err))
				return
			}
			for _, item := range page.Segment.BlobItems {
				if !yield(*item.Name, nil) {
					return
				}
			}
		}
	}
}
