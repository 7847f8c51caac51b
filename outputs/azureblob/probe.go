package azureblob

import (
	"context"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// probeTimeout bounds a Probe, token acquisition included.
const probeTimeout = 2 * time.Second

// Probe reports whether the store answers again, with one request tried
// once (no SDK retries) within probeTimeout: Get Container Properties on
// the container the last Write went to (the one a retried batch waits
// for), or on the fixed container before any Write; with a templated
// container and no Write yet, Get Account Information. A missing container
// passes when create_container is set, since Write creates it. Errors are
// classified as Write's would be, but only describe the failure: any error
// means "not yet", and only a Write's error decides the output's state. It
// never logs.
func (o *Output) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	ctx = policy.WithRetryOptions(ctx, policy.RetryOptions{MaxRetries: -1})
	if c := o.probeTarget(); c != "" {
		return o.probeContainer(ctx, c)
	}
	_, err := o.client.ServiceClient().GetAccountInfo(ctx, nil)
	return classify("probe account", err)
}

func (o *Output) probeContainer(ctx context.Context, c string) error {
	_, err := o.client.ServiceClient().NewContainerClient(c).GetProperties(ctx, nil)
	if o.createContainer && bloberror.HasCode(err, bloberror.ContainerNotFound) {
		return nil // the service answers, and Write creates the container
	}
	return classify("probe container "+c, err)
}

// probeTarget is the container of the last Write, else the fixed
// container; "" for a templated container before any Write.
func (o *Output) probeTarget() string {
	if c := o.lastContainer.Load(); c != nil {
		return *c
	}
	if c, fixed, _ := o.names.listPrefixes(); fixed {
		return c
	}
	return ""
}

// The agent's sender probes any output with this method (agent/delivery/write.go);
// plugins do not import agent, so the shape is spelled out here.
var _ interface{ Probe(context.Context) error } = (*Output)(nil)
