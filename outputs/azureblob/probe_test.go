package azureblob

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/auditship/auditship/internal/plugintest"
)

// TestAzuriteProbeFixedContainer: the probe fails while the container does
// not exist and passes once it does; with create_container a missing
// container passes (Write creates it).
func TestAzuriteProbeFixedContainer(t *testing.T) {
	a := newAzurite(t)
	ctx := context.Background()
	fixed := func(create bool) func(*Config) {
		return func(c *Config) { c.Container, c.CreateContainer = a.prefix+"fixed", create }
	}
	o := a.output(t, fixed(false))
	if err := o.Probe(ctx); err == nil {
		t.Fatal("probe passed for a container that does not exist")
	}
	if err := a.output(t, fixed(true)).Probe(ctx); err != nil {
		t.Errorf("probe with create_container and the container missing: %v", err)
	}
	if _, err := a.client.CreateContainer(ctx, a.prefix+"fixed", nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Probe(ctx); err != nil {
		t.Errorf("probe after the container was created: %v", err)
	}
}

// TestAzuriteProbeTemplatedContainer: before any Write a templated output
// probes the account; after one it probes the container that Write went
// to, which fails while that container is missing and passes once it is
// created.
func TestAzuriteProbeTemplatedContainer(t *testing.T) {
	a := newAzurite(t)
	ctx := context.Background()
	o := a.output(t, func(c *Config) { c.CreateContainer = false })
	if err := o.Probe(ctx); err != nil {
		t.Fatalf("probe of the account: %v", err)
	}
	b := spooled(t, o, "orders", plugintest.Events(1, 3, "flow"))
	if err := o.Write(ctx, b); err == nil {
		t.Fatal("write to a missing container without create_container succeeded")
	}
	if err := o.Probe(ctx); err == nil {
		t.Fatal("probe passed while the last write's container is missing")
	}
	container, _ := splitKey(b.Key)
	if _, err := a.client.CreateContainer(ctx, container, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Probe(ctx); err != nil {
		t.Errorf("probe after the container was created: %v", err)
	}
}

// TestAzuriteProbeWrongKey: an account that refuses the key is not a store
// that is back.
func TestAzuriteProbeWrongKey(t *testing.T) {
	a := newAzurite(t)
	o := a.output(t, func(c *Config) { a.sharedKey(c, wrongKey()) })
	if err := o.Probe(context.Background()); err == nil {
		t.Error("probe passed with a wrong account key")
	}
}

// TestProbeServiceDown: nothing listening fails the probe at once (one try,
// no SDK retries); a service that takes the request and never answers
// fails it within the probe's timeout.
func TestProbeServiceDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/acct"
	l.Close()
	stop := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stop }))
	defer silent.Close()
	defer close(stop)

	for _, tc := range []struct {
		name, url string
		within    time.Duration
	}{
		{"closed port", closed, time.Second},
		{"silent service", silent.URL + "/acct", probeTimeout + time.Second},
	} {
		o := newUnitOutput(t, func(c *Config) { c.AccountURL = tc.url })
		start := time.Now()
		err := o.Probe(context.Background())
		if d := time.Since(start); err == nil || d > tc.within {
			t.Errorf("%s: probe = %v after %v; want an error within %v", tc.name, err, d, tc.within)
		}
	}
}
