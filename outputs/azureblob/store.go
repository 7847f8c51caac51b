package azureblob

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"sort"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/auditship/auditship/outputs"
)

// List yields the blobs that pipeline stored, as "CONTAINER/BLOB" in key
// order, across every container the container template can render to
// (those starting with its literal prefix). A blob counts as pipeline's by
// its auditship_pipeline metadata, so unrelated blobs in a shared container
// are skipped, as are the integrity chain's files (under MetaPrefix).
func (o *Output) List(ctx context.Context, pipeline string) iter.Seq2[outputs.BatchRef, error] {
	return func(yield func(outputs.BatchRef, error) bool) {
		containers, err := o.containers(ctx)
		if err != nil {
			yield(outputs.BatchRef{}, err)
			return
		}
		for _, c := range containers {
			if !o.listBlobs(ctx, c, pipeline, yield) {
				return
			}
		}
	}
}

// containers lists the candidate containers, sorted as keys sort: "a/"
// comes after "a-b/", though the service lists "a" first.
func (o *Output) containers(ctx context.Context) ([]string, error) {
	prefix, exact, _ := o.names.listPrefixes()
	if exact {
		return []string{prefix}, nil
	}
	var names []string
	pager := o.client.NewListContainersPager(&azblob.ListContainersOptions{Prefix: &prefix})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, classify("list containers", err)
		}
		for _, c := range page.ContainerItems {
			names = append(names, *c.Name)
		}
	}
	sort.Slice(names, func(i, j int) bool { return names[i]+"/" < names[j]+"/" })
	return names, nil
}

// listBlobs yields container's blobs of pipeline; false once yield stops.
// A missing container holds no batches.
func (o *Output) listBlobs(ctx context.Context, c, pipeline string, yield func(outputs.BatchRef, error) bool) bool {
	_, _, prefix := o.names.listPrefixes()
	pager := o.client.NewListBlobsFlatPager(c, &azblob.ListBlobsFlatOptions{
		Prefix: &prefix, Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if bloberror.HasCode(err, bloberror.ContainerNotFound) {
			return true
		}
		if err != nil {
			return yield(outputs.BatchRef{}, classify("list "+c, err))
		}
		for _, item := range page.Segment.BlobItems {
			md := lowerKeys(item.Metadata)
			if md["auditship_pipeline"] != pipeline || strings.HasPrefix(*item.Name, outputs.MetaPrefix) {
				continue
			}
			ref := outputs.BatchRef{Key: c + "/" + *item.Name, Metadata: md}
			if item.Properties != nil && item.Properties.ContentLength != nil {
				ref.Size = *item.Properties.ContentLength
			}
			if !yield(ref, nil) {
				return false
			}
		}
	}
	return true
}

// Open downloads the blob ref names ("CONTAINER/BLOB").
func (o *Output) Open(ctx context.Context, ref outputs.BatchRef) (io.ReadCloser, error) {
	c, name := splitKey(ref.Key)
	return o.open(ctx, c, name)
}

func (o *Output) open(ctx context.Context, c, name string) (io.ReadCloser, error) {
	op := "get " + c + "/" + name
	resp, err := o.client.DownloadStream(ctx, c, name, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) {
		return nil, fmt.Errorf("%s: %w", op, fs.ErrNotExist) // verify reports it missing
	}
	if err != nil {
		return nil, classify(op, err)
	}
	return resp.Body, nil
}

func lowerKeys(md map[string]*string) map[string]string {
	out := make(map[string]string, len(md))
	for k, v := range md {
		if v != nil {
			out[strings.ToLower(k)] = *v
		}
	}
	return out
}
