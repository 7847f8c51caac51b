package main

import (
	"context"
	"fmt"
	"io"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// azureStore is one container of Azure Blob Storage (or Azurite).
type azureStore struct {
	c         *azblob.Client
	container string
}

func newAzure(conn, container string) (*azureStore, error) {
	c, err := azblob.NewClientFromConnectionString(conn, nil)
	if err != nil {
		return nil, fmt.Errorf("connection string: %w", err)
	}
	return &azureStore{c: c, container: container}, nil
}

func (a *azureStore) create(ctx context.Context) error {
	_, err := a.c.CreateContainer(ctx, a.container, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("create container %s: %w", a.container, err)
	}
	return nil
}

func (a *azureStore) list(ctx context.Context) ([]object, error) {
	var objs []object
	p := a.c.NewListBlobsFlatPager(a.container, nil)
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", a.container, err)
		}
		for _, b := range page.Segment.BlobItems {
			var size int64
			if b.Properties != nil && b.Properties.ContentLength != nil {
				size = *b.Properties.ContentLength
			}
			objs = append(objs, object{name: *b.Name, size: size})
		}
	}
	return objs, nil
}

func (a *azureStore) open(ctx context.Context, name string) (io.ReadCloser, error) {
	resp, err := a.c.DownloadStream(ctx, a.container, name, nil)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// remove deletes the container, which takes its blobs with it.
func (a *azureStore) remove(ctx context.Context, _ []object) error {
	if _, err := a.c.DeleteContainer(ctx, a.container, nil); err != nil {
		return fmt.Errorf("delete container %s: %w", a.container, err)
	}
	return nil
}
